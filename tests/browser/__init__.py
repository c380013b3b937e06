"""Reports opened in a real headless Chromium, driven over the DevTools protocol (see cdp.py)."""
