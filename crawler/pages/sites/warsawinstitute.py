"""warsawinstitute.org: the publisher of the seed exports. Its posts carry the export format on
the page: a ``Date: … Author: …`` line opening the text (read by the generic dateline step),
then title, lead, ``SOURCE:`` line and body, then the "Support Us" / licence / ``TAGS:`` /
"Related posts" footer (removed by the boilerplate pipeline, as for seed files).

The selectors follow the WordPress post markup the site is built on; they are tried only on
the site's own domain, and a page they do not fit falls through to the generic extraction.
"""

from crawler.pages.sites import Profile

_CONTENT = (
    "//article//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' post-content ')]"
)

PROFILE = Profile(
    name="warsawinstitute",
    domains=("warsawinstitute.org",),
    detect=_CONTENT,
    body=_CONTENT,
    title="//article//h1 | //h1[contains(@class, 'title')]",
    tags="//article//a[@rel='tag']",
    drop=(
        ".//*[contains(@class, 'share') or contains(@class, 'related')"
        " or contains(@class, 'newsletter') or contains(@class, 'donat')"
        " or contains(@class, 'support') or self::script or self::style or self::form]"
    ),
)
