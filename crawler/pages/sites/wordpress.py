"""WordPress: the post markup of the default and underscores-based themes (entry-title,
entry-content, entry-meta), which most think-tank WordPress sites keep."""

from crawler.pages.sites import Profile

PROFILE = Profile(
    name="wordpress",
    detect=(
        "//article[contains(concat(' ', normalize-space(@class), ' '), ' type-post ')]"
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]"
    ),
    body=(
        "//article[contains(concat(' ', normalize-space(@class), ' '), ' type-post ')]"
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]"
    ),
    title="//article//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')]",
    published=(
        "//article//*[contains(@class, 'entry-meta') or contains(@class, 'entry-header')]"
        "//time/@datetime"
    ),
    authors=(
        "//article//*[contains(@class, 'entry-meta')]//*[contains(@class, 'author')]//a"
        " | //article//*[contains(@class, 'entry-meta')]//*[contains(@class, 'byline')]"
    ),
    tags="//article//*[contains(@class, 'tags-links')]//a[@rel='tag']",
    drop=(
        ".//*[contains(@class, 'sharedaddy') or contains(@class, 'share')"
        " or contains(@class, 'jp-relatedposts') or contains(@class, 'related')"
        " or contains(@class, 'newsletter') or self::script or self::style or self::form"
        # embedded posts of other sites: tweets, Instagram, TikTok, WordPress embeds
        " or contains(@class, 'wp-block-embed') or contains(@class, 'twitter-tweet')"
        " or contains(@class, 'instagram-media') or contains(@class, 'tiktok-embed')"
        " or contains(@class, 'wp-embedded-content')]"
    ),
)
