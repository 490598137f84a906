"""Scrapy ingestion crawler for analysis articles."""
