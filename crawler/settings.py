"""Scrapy settings for the crawler project: wiring only."""

from pathlib import Path

from scrapy.utils.conf import closest_scrapy_cfg

from crawler.storage.db import default_database_url

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

PROJECT_ROOT = Path(closest_scrapy_cfg() or Path(__file__).parent.parent / "scrapy.cfg").parent

# Storage: CRAWLER_DATABASE_URL in the environment, or -s DATABASE_URL=..., else SQLite.
DATABASE_URL = default_database_url(PROJECT_ROOT)
STORAGE_BATCH_SIZE = 500

# Seed import
SEEDS_PATH = str(PROJECT_ROOT / "seeds")
SEEDS_MAX_FILE_SIZE = 5 * 1024 * 1024
SEEDS_BOILERPLATE_MIN_DOCUMENTS = 5

# Dates more than this far in the future are rejected.
DATES_DEFAULT_TIMEZONE = "UTC"

EXPORT_PATH = str(PROJECT_ROOT / "exports" / "articles.jsonl")

ITEM_PIPELINES = {
    "crawler.pipelines.clean.BoilerplatePipeline": 100,
    "crawler.pipelines.normalize.UrlPipeline": 150,
    "crawler.pipelines.normalize.DatePipeline": 200,
    "crawler.pipelines.normalize.BylinePipeline": 300,
    "crawler.pipelines.normalize.LanguagePipeline": 350,
    "crawler.pipelines.validate.ValidationPipeline": 400,
    "crawler.pipelines.store.StoragePipeline": 500,
}
TELNETCONSOLE_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "crawler.extensions.RunRecorder": 100,
}
LOG_FORMATTER = "crawler.logformatter.CrawlerLogFormatter"
LOG_LEVEL = "INFO"

ROBOTSTXT_OBEY = True
USER_AGENT = "crawler/0.1 (+https://github.com/analysis-crawler/crawler)"
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
