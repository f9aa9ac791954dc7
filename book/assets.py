"""The JavaScript the book and the slides serve from local files (never from a CDN).

``book/package.json`` + ``package-lock.json`` pin them; ``npm ci`` (run by ``make book`` and
``make slides``) installs them into ``book/node_modules``; ``stage(dest)`` copies the parts a
page loads, with each package's licence, into ``dest``:

    dest/mathjax/           MathJax 3 (es5 build: tex-mml-chtml.js, its fonts and extensions)
    dest/require.js         RequireJS (the widget manager and reveal.js are AMD modules)
    dest/@jupyter-widgets/html-manager/dist/
                            the widget manager: embed-amd.js renders frozen widgets (its
                            fonts are found relative to RequireJS's baseUrl: require_config.js)
    dest/reveal.js/         reveal.js dist/ and plugin/, of its themes only "white" (the
                            others @import Google Fonts)      (slides only)
    dest/jquery.min.js      jQuery (nbconvert's reveal template uses it)   (slides only)
    dest/require_config.js  RequireJS's baseUrl: the folder of this file (not the page's)
    dest/mathjax_hub_shim.js  ``MathJax.Hub.Queue`` (MathJax 2's API, which the widget
                            manager calls to typeset widget labels) on top of MathJax 3
    dest/LICENSES/<name>    the licence of each

A copy is skipped when ``dest`` already holds the same versions (a stamp file).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

BOOK = Path(__file__).resolve().parent
NODE_MODULES = BOOK / "node_modules"

# package -> [(source inside the package, destination inside dest)]
PARTS = {
    "mathjax": [("es5", "mathjax")],
    "requirejs": [("require.js", "require.js")],
    "@jupyter-widgets/html-manager": [("dist", "@jupyter-widgets/html-manager/dist")],
    "reveal.js": [("dist", "reveal.js/dist"), ("plugin", "reveal.js/plugin")],
    "jquery": [("dist/jquery.min.js", "jquery.min.js")],
}
# loaded right after require.js: module paths (and so the widget manager's fonts) are found
# under the folder of this file, whichever page loads it
REQUIRE_CONFIG = """(function () {
  var me = document.currentScript.src;
  require.config({baseUrl: me.slice(0, me.lastIndexOf("/") + 1)});
})();
"""
# loaded before MathJax 3 (which replaces window.MathJax when it starts): once the page is
# parsed, MathJax.Hub.Queue(["Typeset", MathJax.Hub, el]) typesets el with MathJax 3
MATHJAX_HUB_SHIM = """document.addEventListener("DOMContentLoaded", function () {
  var mj = window.MathJax;
  if (mj && !mj.Hub) {
    mj.Hub = {
      Queue: function (job) {
        var el = job && job[2];
        if (mj.typesetPromise) { mj.typesetPromise(el ? [el] : undefined).catch(function () {}); }
      },
      getAllJax: function () { return null; },  // nbconvert's reveal template asks on each slide
      Rerender: function () {}
    };
  }
});
"""
SLIDES_ONLY = {"reveal.js", "jquery"}
REVEAL_THEME = "white"
_SKIP_FILES = shutil.ignore_patterns("*.map", "*.LICENSE.txt", "embed.js", "libembed-amd.js")


def _skip(folder: str, names: list[str]) -> set[str]:
    skip = set(_SKIP_FILES(folder, names))
    if Path(folder).name == "theme":  # reveal.js: one theme, with local fonts only
        skip |= {n for n in names if n.endswith(".css") and n != f"{REVEAL_THEME}.css"}
    return skip


def versions(slides: bool = True) -> dict[str, str]:
    """Installed version of each package (raises if ``npm ci`` was not run in book/)."""
    out = {}
    for name in PARTS:
        if name in SLIDES_ONLY and not slides:
            continue
        meta = NODE_MODULES / name / "package.json"
        if not meta.exists():
            raise FileNotFoundError(f"{meta} is missing: run `npm ci` in {BOOK} (make book does it)")
        out[name] = json.loads(meta.read_text(encoding="utf-8"))["version"]
    return out


def stage(dest: Path, slides: bool = True) -> Path:
    """Copy the served files into ``dest`` (once per set of versions); return ``dest``.
    ``slides=False``: only what the book loads (no reveal.js, no jQuery)."""
    dest = Path(dest)
    have = versions(slides)
    want = json.dumps(have, sort_keys=True)
    stamp = dest / ".versions.json"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == want:
        return dest
    if dest.is_dir():  # a folder of its own: start afresh (other versions, other parts)
        shutil.rmtree(dest)
    for name, parts in PARTS.items():
        if name not in have:
            continue
        pkg = NODE_MODULES / name
        for src, dst in parts:
            target = dest / dst
            target.parent.mkdir(parents=True, exist_ok=True)
            if (pkg / src).is_dir():
                shutil.copytree(pkg / src, target, ignore=_skip)
            else:
                shutil.copy2(pkg / src, target)
        (dest / "LICENSES").mkdir(parents=True, exist_ok=True)
        out = dest / "LICENSES" / name.replace("/", "__")
        licence = next((p for p in sorted(pkg.iterdir()) if p.name.upper().startswith("LICEN")), None)
        if licence is not None:
            shutil.copy2(licence, out)
        else:  # requirejs and html-manager ship none: their package.json names it
            meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
            out.write_text(f"{name} {meta['version']}: licence {meta['license']} (from its package.json; "
                           "the npm package ships no licence file)\n", encoding="utf-8")
    (dest / "require_config.js").write_text(REQUIRE_CONFIG, encoding="utf-8")
    (dest / "mathjax_hub_shim.js").write_text(MATHJAX_HUB_SHIM, encoding="utf-8")
    stamp.write_text(want, encoding="utf-8")
    return dest


if __name__ == "__main__":
    import sys

    print(stage(Path(sys.argv[1])))
