"""The organisation's post inventory: pure readers of every route a site lists its posts on.

WordPress REST ``/wp-json/wp/v2/posts``, the WordPress.com public API, paged feeds
(``?paged=N``), sitemaps (streamed) and archive pages; plus the post page's own
``rel=canonical`` / ``rel=shortlink``. Bytes in, ``FoundPost`` values out: no Scrapy, no
storage, no config (#16).
"""
