"""Keep the browser console of every page clean.

sphinx-thebe registers its inline configuration script once per build phase, so every page
declared ``const THEBE_JS_URL`` twice and the second declaration raised a SyntaxError in the
reader's console (tests/browser/ loads each page and fails on console errors). Each page keeps
the first copy of every script.
"""


def _script_key(script) -> tuple:
    # An inline script's filename is None or "" depending on who added it: the same script.
    attributes = getattr(script, "attributes", {}) or {}
    return getattr(script, "filename", str(script)) or "", tuple(sorted(attributes.items()))


def _drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def setup(app):
    app.connect("html-page-context", _drop_repeated_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
