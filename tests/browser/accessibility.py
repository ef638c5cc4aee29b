"""axe-core in the browser tests: ``assert_accessible(page, "what the page is")`` checks the
page as it is now against the WCAG 2.1 A and AA rules and fails on serious or critical
violations, naming each rule, its impact, the elements and how to fix them.

axe-core is vendored beside this module (``vendor/axe-core-4.14.1``, MPL-2.0, from the npm
registry) and never served to users: it is evaluated in the page through the DevTools
protocol, which the pages' Content-Security-Policy does not govern (a ``<script>`` tag added
by the test would be refused by it, as any inline script is).
"""

from functools import cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("critical", "serious")
SHOWN_PER_RULE = 8  # elements listed for one rule; the rest are counted

# axe runs once per call; the result keeps only what the report needs (a page with a
# hundred failing cells would otherwise send megabytes of HTML back to Python).
RUN_AXE = """
async (tags) => {
  const result = await window.axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl.split("?")[0],
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" "),
      summary: n.failureSummary || "",
      impact: n.impact,
    })),
  }));
}
"""


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def axe_violations(page, tags=WCAG_21_A_AA) -> list[dict]:
    """Every violation axe finds on the page as it is now, for the rules tagged ``tags``."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(RUN_AXE, list(tags))


def describe(violations: list[dict], where: str) -> str:
    """The violations as a report a person reads: rule, impact, help, then each element
    (its CSS selector) and what to fix on it."""
    lines = [f"{len(violations)} accessibility rule(s) broken on {where}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"][:SHOWN_PER_RULE]:
            lines.append(f"    {node['target']}")
            for line in node["summary"].splitlines():
                if line.strip():
                    lines.append(f"      {line.strip()}")
        if len(v["nodes"]) > SHOWN_PER_RULE:
            lines.append(f"    … and {len(v['nodes']) - SHOWN_PER_RULE} more element(s)")
    return "\n".join(lines)


def assert_accessible(page, context: str) -> None:
    """Fail if axe finds serious or critical WCAG 2.1 A/AA violations on ``page`` as it is
    now; ``context`` says which page and state it is ("registration form with errors")."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking, f"{context} ({page.url})")
