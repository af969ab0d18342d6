"""Small Sphinx fixes for the book's HTML pages (registered in _config.yml, ``sphinx: local_extensions``).

- Inline scripts added twice to a page (sphinx-thebe's and sphinx-togglebutton's configuration lines
  are: they declare ``const THEBE_JS_URL`` twice, a console error on every page) are kept once.
"""
from __future__ import annotations


def dedupe_scripts(app, pagename, templatename, context, doctree):
    """Keep the first of identical script entries (same file, same attributes, same inline body)."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        # the same inline script arrives once with filename None and once with "" (registry vs builder)
        key = (str(getattr(script, "filename", script) or ""), repr(sorted(getattr(script, "attributes", {}).items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def setup(app):
    app.connect("html-page-context", dedupe_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
