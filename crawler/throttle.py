"""AutoThrottle that honours robots.txt ``Crawl-delay``."""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached


class RobotsAwareAutoThrottle(AutoThrottle):
    """Adapts each site's delay to its latency (AutoThrottle), but never below the site's
    robots.txt ``Crawl-delay`` for our user agent. Reads the robots.txt parsers that Scrapy's
    RobotsTxtMiddleware already fetched; settings as AutoThrottle, plus
    ``ROBOTSTXT_USER_AGENT``/``USER_AGENT``."""

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        super()._response_downloaded(response, request, spider)
        _, slot = self._get_slot(request, spider)
        delay = self._crawl_delay(request)
        if slot is not None and delay and slot.delay < delay:
            slot.delay = delay

    def _crawl_delay(self, request: Request) -> float | None:
        robots = self._robots_middleware()
        if robots is None:
            return None
        parser = robots._parsers.get(urlparse_cached(request).netloc)
        crawl_delay = getattr(parser, "crawl_delay", None)
        if not callable(crawl_delay):
            return None
        settings = self.crawler.settings
        agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        return crawl_delay(agent)

    def _robots_middleware(self) -> RobotsTxtMiddleware | None:
        engine = self.crawler.engine
        middlewares = engine.downloader.middleware.middlewares if engine else ()
        return next((m for m in middlewares if isinstance(m, RobotsTxtMiddleware)), None)
