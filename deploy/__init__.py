"""Shipping and serving the built site.

- ``targets``: ``invoke deploy --to TARGET`` parses TARGET (``rsync:PATH``,
  ``rsync:user@host:PATH``, ``git:REMOTE#BRANCH``) before anything is built;
- ``rsync`` and ``gitbranch``: ship a finished publish build to one target;
- ``preview``: the ``invoke livereload`` server's build-error banner;
- ``nginx.conf``: the production web server configuration (tests/test_nginx.py).

No S3 target: it could not be tested here against a real S3-compatible server,
so it is left out rather than shipped untested (README, "Deploying").
"""
