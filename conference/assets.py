"""The static files a page loads, found from its templates, for the service workers that keep
pages for offline use: a new script, stylesheet or font cannot be left out of a worker's list,
and the worker's cache takes a new name whenever one of those files changes."""

import hashlib
import posixpath
import re
from pathlib import Path

from flask import current_app, url_for
from jinja2 import Environment, meta, nodes

# What one static file loads in turn: a module's relative imports (static, re-exported or
# dynamic with a literal), a stylesheet's url()s and @imports.
JS_IMPORT = re.compile(
    r"""(?:^|[;}\n])\s*(?:import|export)\b[^'";]*?\bfrom\s*(['"])(\.\.?/[^'"]+)\1"""
    r"""|(?:^|[;}\n])\s*import\s*(['"])(\.\.?/[^'"]+)\3"""
    r"""|\bimport\(\s*(['"])(\.\.?/[^'"]+)\5\s*\)""",
)
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


def template_assets(env: Environment, name: str) -> list[str]:
    """The static files named by ``url_for('static', filename=...)`` in a template and in the
    templates it extends, includes or imports, in the order they appear."""
    found: list[str] = []
    seen_templates: set[str] = set()

    def visit(template: str) -> None:
        if template in seen_templates:
            return
        seen_templates.add(template)
        source, _, _ = env.loader.get_source(env, template)
        tree = env.parse(source)
        for call in tree.find_all(nodes.Call):
            if (
                isinstance(call.node, nodes.Name)
                and call.node.name == "url_for"
                and call.args
                and isinstance(call.args[0], nodes.Const)
                and call.args[0].value == "static"
            ):
                for keyword in call.kwargs:
                    if keyword.key == "filename" and isinstance(keyword.value, nodes.Const):
                        found.append(keyword.value.value)
        for other in meta.find_referenced_templates(tree):
            if other:
                visit(other)

    visit(name)
    return list(dict.fromkeys(found))


def referenced_files(static_folder: str | Path, filename: str) -> list[str]:
    """The static files one JavaScript module or stylesheet loads, as static filenames."""
    text = (Path(static_folder) / filename).read_text(encoding="utf-8", errors="replace")
    if filename.endswith((".js", ".mjs")):
        targets = [next(g for g in match.groups()[1::2] if g) for match in JS_IMPORT.finditer(text)]
    elif filename.endswith(".css"):
        targets = [match.group(2) or match.group(4) for match in CSS_URL.finditer(text)]
        targets = [t.split("?")[0].split("#")[0] for t in targets if not EXTERNAL.match(t)]
    else:
        return []
    here = posixpath.dirname(filename)
    return [posixpath.normpath(posixpath.join(here, target)) for target in targets]


def page_assets(env: Environment, static_folder: str | Path, *templates: str) -> list[str]:
    """Every static file the pages of these templates load, directly or through the modules
    and stylesheets they load; a file named but missing is an error, not a gap offline."""
    queue = [name for template in templates for name in template_assets(env, template)]
    assets: list[str] = []
    while queue:
        filename = queue.pop(0)
        if filename in assets:
            continue
        if not (Path(static_folder) / filename).is_file():
            raise FileNotFoundError(f"{filename} is loaded by {', '.join(templates)} but missing")
        assets.append(filename)
        queue.extend(referenced_files(static_folder, filename))
    return assets


_digests: dict[tuple[str, int, int], str] = {}


def _digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[key]


def fingerprint(static_folder: str | Path, filenames: list[str]) -> str:
    """A short name for these files' exact contents: it changes when any of them does."""
    combined = hashlib.sha256()
    for filename in filenames:
        combined.update(f"{filename}\0{_digest(Path(static_folder) / filename)}\n".encode())
    return combined.hexdigest()[:16]


def worker_assets(*templates: str) -> dict[str, object]:
    """For a service worker's template: ``assets``, the URLs of everything the pages of these
    templates load, and ``version``, which changes with their contents (the worker's cache
    name, so a changed file is fetched again)."""
    app = current_app
    cache = app.extensions.setdefault("worker_assets", {})
    files = cache.get(templates)
    if files is None or app.debug or app.templates_auto_reload:
        # Parsing the templates and scripts costs tens of milliseconds: once per process,
        # as they change only with a deployment (every request while developing).
        files = cache[templates] = page_assets(app.jinja_env, app.static_folder, *templates)
    return {
        "assets": [url_for("static", filename=name) for name in files],
        "version": fingerprint(app.static_folder, files),
    }
