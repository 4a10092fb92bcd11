"""The web app: server-rendered pages (pages.py), a REST API (api.py), sessions, CSRF and tokens (auth.py).

    from harmwatch.web.app import create_app
    app = create_app(db)            # an ASGI app; `harmwatch serve` runs it under uvicorn

See docs/web.md.
"""
