"""Scrapy settings for the crawler project: wiring only."""

from pathlib import Path

from scrapy.settings import default_settings
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
STORAGE_PROCESS = True  # write batches in a dedicated process
STORAGE_SPOOL_DIR = str(PROJECT_ROOT / "spool")  # batches wait here until stored

# Seed import
SEEDS_PATH = str(PROJECT_ROOT / "seeds")
SEEDS_MAX_FILE_SIZE = 5 * 1024 * 1024
SEEDS_BOILERPLATE_MIN_DOCUMENTS = 5
SEEDS_BOILERPLATE_SAMPLE = 2000  # files read (spread over the folders) to learn repeated blocks
SEEDS_WORKERS = 1  # reader processes (the learning pass reads its sample here); 0: one per core
SEEDS_NICENESS = 10  # they read ahead at a lower priority: every item waits on the crawl and writer

# Dates: the zone of times given without an offset.
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
SPIDER_MIDDLEWARES = {
    # every layer costs each page; the spiders bound link depth themselves (max_depth) and
    # discovery refuses over-long URLs (crawler.discovery.link_verdict)
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    # a check for spider code that copies response meta into requests; ours never does
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
DOWNLOADER_MIDDLEWARES = {
    # it filters by the spider's allowed_domains, which ours leave empty: the spiders choose
    # the hosts they follow (crawler.discovery.link_verdict) and would only pay for its checks
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.ContactUserAgentMiddleware": 500,
    "crawler.middlewares.ConditionalRequestMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.QuickMetaRefreshMiddleware": 580,
}
# Scrapy's own extensions without its remote control. Naming it in EXTENSIONS with None would
# still import it (Scrapy loads every key there to normalize it), and with it aiohttp: a fifth of
# a second of every run's start.
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.throttle.RobotsAwareAutoThrottle": 0,
    "crawler.extensions.RunRecorder": 100,
}
LOG_FORMATTER = "crawler.logformatter.CrawlerLogFormatter"
STATS_CLASS = "crawler.stats.StatsCollector"
SCHEDULER = "crawler.jobs.JobScheduler"  # a JOBDIR a killed run left is reset, not half-trusted
LOG_LEVEL = "INFO"

# Web crawls: polite by default.
SITES_FILE = str(PROJECT_ROOT / "seeds" / "sites.toml")
CRAWLER_CONTACT_URL = "https://github.com/analysis-crawler/crawler"  # set yours
USER_AGENT = "crawler/0.1 (analysis article crawler; +{contact})"
ROBOTSTXT_USER_AGENT = "crawler"
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 16
CONCURRENT_ITEMS = 8  # per response; Scrapy's 100 made 101 asyncio tasks for each page
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # also bounds decompressed bodies (compression bombs)
DOWNLOAD_WARNSIZE = 0
SITEMAP_MAX_SIZE = 50 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2
RETRY_HTTP_CODES = [502, 503, 504, 522, 524, 408, 429]
EXTRACTION_WORKERS = 0  # page extraction processes; 0: one per core
EXTRACTION_NICENESS = 10  # they yield the CPU to the reactor, which every page waits on
ANALYSIS_MAX_PATTERN_PAGES = 100
ANALYSIS_MAX_SITEMAPS = 200
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
