"""The web pages in headless Chromium, against live slipway servers running real jobs.

Called by Tests/WebUITests/BrowserTests.swift with a scenario file (servers, job ids, workspace
paths of jobs that wait for a `go` file). Prints one JSON report on stdout:
{"checks": [{"name", "passed", "detail"}], "measurements": {...}}; exits 1 if a check failed.
Screenshots go to the scenario's artifacts directory.
"""

import html5lib
import http.server
import json
import os
import re
import signal
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Browser  # noqa: E402

scenario = json.load(open(sys.argv[1]))
artifacts = scenario["artifacts"]
os.makedirs(artifacts, exist_ok=True)
checks = []
measurements = {}


started = time.monotonic()


def check(name, passed, detail=""):
    checks.append({"name": name, "passed": bool(passed), "detail": str(detail)[:2000],
                   "at_s": round(time.monotonic() - started, 1)})
    return passed


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, headers=None, data=None, method=None):
    """(status, headers, body) without following redirects."""
    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def strict_parse(name, body):
    """The page parses without a single error under html5lib's strict mode."""
    try:
        parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
        parser.parse(body)
        check(f"html5lib strict: {name}", True)
    except Exception as error:  # html5lib raises ParseError with the position
        check(f"html5lib strict: {name}", False, error)


def luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def parse_colour(text):
    inside = text[text.index("(") + 1:text.index(")")].replace("/", ",")
    parts = [float(p) for p in inside.replace(" ", ",").split(",") if p]
    return parts[:3]


def contrast(a, b):
    la, lb = sorted([luminance(a), luminance(b)], reverse=True)
    return (la + 0.05) / (lb + 0.05)


ACCESSIBILITY = r"""
const problems = [];
for (const landmark of ['header', 'nav', 'main', 'footer']) {
  if (!document.querySelector(landmark)) problems.push('no <' + landmark + '> landmark');
}
function name(el) {
  if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
  if (el.getAttribute('aria-labelledby')) return document.getElementById(el.getAttribute('aria-labelledby'))?.textContent;
  if (el.id) { const l = document.querySelector('label[for="' + el.id + '"]'); if (l) return l.textContent; }
  const wrap = el.closest('label'); if (wrap) return wrap.textContent;
  if (el.tagName === 'BUTTON' || el.tagName === 'A') return el.textContent;
  return '';
}
for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')) {
  if (el.closest('[hidden]')) continue;
  if (!(name(el) || '').trim()) problems.push('unlabelled ' + el.tagName + ' ' + el.outerHTML.slice(0, 80));
}
for (const el of document.querySelectorAll('[tabindex]')) {
  if (parseInt(el.getAttribute('tabindex'), 10) > 0) problems.push('positive tabindex on ' + el.tagName);
}
return problems;
"""

FOCUS_STEP = r"""
const el = document.activeElement;
if (!el || el === document.body) return null;
const style = getComputedStyle(el);
const all = Array.from(document.querySelectorAll('*'));
return {index: all.indexOf(el), tag: el.tagName, text: (el.textContent || el.getAttribute('aria-label') || el.id || '').trim().slice(0, 40),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
"""


def accessibility(browser, name):
    problems = browser.run(ACCESSIBILITY)
    check(f"accessibility: landmarks and labels on {name}", not problems, problems)
    # Sequential focus navigation starts where focus last was: move that point to the top.
    browser.run("""window.scrollTo(0, 0);
        const start = document.createElement('span');
        start.tabIndex = -1;
        document.body.prepend(start);
        start.focus();
        start.remove();""")
    order = []
    for _ in range(12):
        browser.keys("\ue004")  # Tab
        step = browser.run(FOCUS_STEP)
        if step is None:
            break
        order.append(step)
    check(f"focus order: the first Tab reaches the skip link on {name}", order and order[0]["text"] == "Skip to content", order[:1])
    indices = [step["index"] for step in order]
    check(f"focus order follows the document on {name}", indices == sorted(indices), order)
    unseen = [step for step in order if not step["outline"]]
    check(f"focus is visible on {name}", not unseen, unseen)


def narrow(browser, name):
    browser.resize(360, 800)
    width = browser.run("return document.documentElement.scrollWidth")
    check(f"360 px wide: {name} has no sideways scrolling", width <= 360, f"scrollWidth {width}")
    browser.screenshot(os.path.join(artifacts, f"{name}-360px.png"))
    browser.resize(1280, 900)


def text_of_rows(browser):
    return browser.run("return Array.from(document.querySelectorAll('#log-viewer .row')).map(r => r.textContent).join('\\n')")


def wait_complete(browser, timeout=60):
    browser.wait_for("return document.getElementById('log-viewer').dataset.state === 'complete'", timeout=timeout, what="the whole log")


def open_server(browser):
    o = scenario["open"]
    base = o["base"]

    # -- every page parses strictly; redirects for browsers
    for name, path in [("pipelines", "/pipelines"), ("root", "/"), ("pipeline", f"/pipelines/{o['pipeline']}"),
                       ("job", f"/jobs/{o['sections_job']}"), ("hostile job", f"/jobs/{o['hostile_job']}"),
                       ("big job", f"/jobs/{o['big_job']}"), ("login", "/login"), ("not found", "/jobs/999999"),
                       ("bad id", "/pipelines/abc"), ("filtered", "/pipelines?project=demo%2Fapp&ref=%3Cmain%3E")]:
        status, headers, body = fetch(base + path)
        strict_parse(name, body)
        csp = headers.get("Content-Security-Policy", "")
        check(f"strict CSP on {name}", "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe" not in csp, csp)
    status, headers, _ = fetch(f"{base}/v1/jobs/{o['sections_job']}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    check("Accept: text/html on /v1/jobs/{id} redirects to the page", status == 303 and headers.get("Location") == f"/jobs/{o['sections_job']}",
          (status, headers.get("Location")))
    status, headers, body = fetch(f"{base}/v1/jobs/{o['sections_job']}", headers={"Accept": "application/json"})
    check("the JSON stays at /v1/jobs/{id} with web_url", status == 200 and json.loads(body).get("web_url") == f"/jobs/{o['sections_job']}",
          body[:200])
    status, headers, _ = fetch(f"{base}/v1/pipelines/{o['pipeline']}", headers={"Accept": "text/html"})
    check("Accept: text/html on /v1/pipelines/{id} redirects", status == 303 and headers.get("Location") == f"/pipelines/{o['pipeline']}")

    # -- a pipeline page goes from running to passed without a reload
    browser.get(f"{base}/pipelines/{o['pipeline']}")
    browser.run("window.slipwayMarker = 'same page';")
    first = browser.run("return document.querySelector('#pipeline-status .status').dataset.status")
    check("the pipeline is running when its page opens", first in ("running", "pending"), first)
    browser.screenshot(os.path.join(artifacts, "pipeline-running.png"))
    open(os.path.join(o["pipeline_gate"], "go"), "w").close()
    try:
        browser.wait_for("return document.querySelector('#pipeline-status .status').dataset.status === 'success'", timeout=60,
                         what="the pipeline to pass")
        same = browser.run("return window.slipwayMarker")
        gated = browser.run(f"return document.querySelector('li.job[data-job-id=\"{o['pipeline_job']}\"] .status').dataset.status")
        check("the pipeline page shows running → passed without a reload", same == "same page" and gated == "success", (same, gated))
    except AssertionError as error:
        check("the pipeline page shows running → passed without a reload", False, error)
    browser.screenshot(os.path.join(artifacts, "pipeline.png"))
    accessibility(browser, "pipeline")
    narrow(browser, "pipeline")

    # -- the pipeline list, its status colours, its contrast
    browser.get(f"{base}/pipelines")
    browser.screenshot(os.path.join(artifacts, "pipelines.png"))
    accessibility(browser, "pipelines")
    narrow(browser, "pipelines")
    colours = browser.run("""
        const out = {};
        for (const status of ['success', 'failed', 'running', 'pending', 'created', 'canceled', 'skipped']) {
          const probe = document.createElement('span');
          probe.className = 'status';
          probe.dataset.status = status;
          probe.textContent = status;
          document.querySelector('main').appendChild(probe);
          const style = getComputedStyle(probe);
          out[status] = [style.color, style.backgroundColor];
          probe.remove();
        }
        return out;""")
    for status, (foreground, background) in colours.items():
        ratio = contrast(parse_colour(foreground), parse_colour(background))
        measurements[f"contrast_{status}"] = round(ratio, 2)
        check(f"contrast of the {status} badge ≥ 4.5:1", ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}")

    # -- a job page follows a growing log
    browser.get(f"{base}/jobs/{o['growing_job']}")
    browser.run("window.slipwayMarker = 'same page';")
    try:
        browser.wait_for("return document.getElementById('log-viewer').textContent.includes('waiting for the go file')", what="the first output")
        before = browser.run("return +document.getElementById('log-viewer').dataset.lines")
        open(os.path.join(o["growing_gate"], "go"), "w").close()
        browser.wait_for("return document.getElementById('log-viewer').textContent.includes('tick 30')", timeout=60, what="tick 30")
        wait_complete(browser)
        after = browser.run("return +document.getElementById('log-viewer').dataset.lines")
        same = browser.run("return window.slipwayMarker")
        status = browser.run("return document.querySelector('#job-status .status').dataset.status")
        check("the job page follows the log as it grows, without a reload", same == "same page" and after > before + 25,
              (same, before, after))
        check("the job's status turns to passed live", status == "success", status)
        following = browser.run("const v = document.getElementById('log-viewer'); return v.scrollTop + v.clientHeight >= v.scrollHeight - 41")
        check("following keeps the end of the log in view", following)
    except AssertionError as error:
        check("the job page follows the log as it grows, without a reload", False, error)
    browser.screenshot(os.path.join(artifacts, "job-growing.png"))

    # -- a section collapses; timestamps on demand; anchors
    browser.get(f"{base}/jobs/{o['sections_job']}#L3")
    wait_complete(browser)
    rows = text_of_rows(browser)
    check("a job's own section shows its header", "My own section" in rows and "inside one" in rows, rows[:500])
    steps = browser.run("return Array.from(document.querySelectorAll('#log-viewer .row.section')).map(r => r.textContent)")
    check("slipway's own steps are sections: the workspace and each script line",
          any("Preparing the workspace" in s for s in steps) and any("$ echo inside one" in s for s in steps), steps)
    check("sections show their durations", any(re.search(r"\d s$", s) for s in steps), steps)
    toggle = browser.run("""
        const row = Array.from(document.querySelectorAll('#log-viewer .row')).find(r => r.querySelector('.text').textContent === 'My own section');
        const button = row && row.querySelector('.toggle');
        if (!button) return null;
        button.click();
        return button.dataset.section;""")
    browser.wait_for("return !document.getElementById('log-viewer').textContent.includes('inside one')", what="the section to collapse")
    state = browser.run(f"return document.querySelector('.toggle[data-section=\"{toggle}\"]').getAttribute('aria-expanded')")
    check("a section collapses (its lines leave the page, aria-expanded=false)", state == "false", state)
    browser.click("#log-timestamps")
    stamped = browser.run("return Array.from(document.querySelectorAll('#log-viewer .row .ts')).map(t => t.textContent)")
    check("timestamps show on demand", stamped and all(len(t) == 8 and t[2] == ":" for t in stamped), stamped[:3])
    target = browser.run("const t = document.querySelector('#log-viewer .row.target .ln'); return t && t.textContent")
    check("a #L3 anchor marks line 3", target == "3", target)
    browser.screenshot(os.path.join(artifacts, "job-sections.png"))
    accessibility(browser, "job")
    narrow(browser, "job")

    # -- a 4 MiB log: first lines, scrolling, search beyond what is rendered
    timings = []
    for _ in range(3):
        browser.get(f"{base}/jobs/{o['big_job']}")
        wait_complete(browser, timeout=60)
        timings.append(browser.run("""
            const first = performance.getEntriesByName('slipway-log-first-lines')[0];
            const done = performance.getEntriesByName('slipway-log-complete')[0];
            return [first ? first.startTime : -1, done ? done.startTime : -1];"""))
    timings.sort(key=lambda t: t[0])
    first_lines, complete = timings[1]
    measurements["big_log_first_lines_ms"] = round(first_lines, 1)
    measurements["big_log_complete_ms"] = round(complete, 1)
    check("a 4 MiB log shows its first lines", first_lines > 0, timings)
    info = browser.run("const v = document.getElementById('log-viewer'); return [+v.dataset.lines, +v.dataset.rendered, document.querySelectorAll('#log-viewer .row').length]")
    check("a 4 MiB log renders only what is visible", info[0] > 40000 and info[2] < 300, info)
    needle_before = browser.run("return document.getElementById('log-viewer').textContent.includes('NEEDLE-7f3a')")
    browser.run("const v = document.getElementById('log-viewer'); v.scrollTop = v.scrollHeight / 2;")
    time.sleep(0.2)
    middle = browser.run("return Array.from(document.querySelectorAll('#log-viewer .row .ln')).map(a => +a.textContent)")
    check("scrolling to the middle renders the middle lines", middle and 15000 < middle[len(middle) // 2] < 40000, middle[:3])
    started = time.monotonic()
    browser.type("#log-query", "NEEDLE-7f3a")
    browser.click("#log-next")
    browser.wait_for("return document.getElementById('log-matches').textContent !== ''", what="search results")
    measurements["big_log_search_ms"] = round((time.monotonic() - started) * 1000, 1)
    found = browser.run("return [document.getElementById('log-matches').textContent, !!document.querySelector('#log-viewer mark.current'), "
                        "document.getElementById('log-viewer').textContent.includes('NEEDLE-7f3a')]")
    check("search finds a line that was not rendered", not needle_before and found[0] == "1 of 1" and found[1] and found[2],
          (needle_before, found))
    browser.run("const v = document.getElementById('log-viewer'); v.scrollTop = v.scrollHeight;")
    time.sleep(0.2)
    end = browser.run("return document.getElementById('log-viewer').textContent.includes('last line of the big log')")
    check("scrolling to the end shows the last line", end)
    browser.screenshot(os.path.join(artifacts, "job-4mib.png"))

    # -- hostile output is text, and no dialog opens
    browser.get(f"{base}/jobs/{o['hostile_job']}")
    wait_complete(browser)
    time.sleep(0.3)
    alert = browser.alert_text()
    rows = text_of_rows(browser)
    scripts = browser.run("return document.querySelectorAll('script').length")
    images = browser.run("return document.querySelectorAll('img').length")
    title = browser.run("return document.title")
    check("a <script> log line is shown as text", "<script>alert(1)</script>" in rows, rows[-600:])
    check("ANSI escape soup leaves text, no markup", "<img src=x onerror=alert(2)>" in rows and images == 0, (images, rows[-600:]))
    check("no dialog opens and no script is added", alert is None and scripts == 1, (alert, scripts))
    check("the job's name is text in the title", "<script>" in title, title)
    browser.screenshot(os.path.join(artifacts, "job-hostile.png"))
    browser.run("document.getElementById('log-static').hidden = false; document.getElementById('log-viewer').hidden = true;")
    static = browser.run("return document.getElementById('log-static').textContent")
    check("without the viewer, the page's own log shows the same text", "<script>alert(1)</script>" in static, static[-400:])


ATTACKER = """<!DOCTYPE html><html><body>
<form id="f" method="post" action="{target}"><input name="csrf" value="guess"></form>
<script>document.getElementById('f').submit();</script></body></html>"""


def token_server(browser):
    t = scenario["tokens"]
    base = t["base"]
    job = t["job"]
    status, headers, body = fetch(f"{base}/jobs/{job}")
    check("with tokens, a page without the session cookie is refused", status == 401 and b"Sign in" in body, status)
    strict_parse("sign-in page (401)", body)
    status, _, _ = fetch(f"{base}/v1/jobs/{job}/log")
    check("with tokens, the API refuses a read without a token", status == 401, status)
    browser.delete_cookies()
    browser.get(f"{base}/jobs/{job}")
    check("the browser gets the sign-in form", browser.run("return !!document.getElementById('token')"))
    browser.screenshot(os.path.join(artifacts, "sign-in.png"))
    accessibility(browser, "sign-in")
    browser.type("#token", t["read_token"])
    browser.click("form.login button")
    browser.wait_for(f"return location.pathname === '/jobs/{job}'", what="the job page after signing in")
    check("a read token sees the page but no buttons", browser.run("return document.querySelectorAll('.actions form').length") == 0)
    cookie = next((c for c in browser.cookies() if c["name"] == "slipway_session"), None)
    check("the session cookie is HttpOnly and SameSite=Strict", cookie and cookie["httpOnly"] and cookie.get("sameSite") == "Strict", cookie)
    wait_complete(browser)
    check("the log streams with the session cookie", "hello from the guarded server" in text_of_rows(browser))
    browser.delete_cookies()
    browser.get(f"{base}/login?next=/jobs/{job}")
    browser.type("#token", t["submit_token"])
    browser.click("form.login button")
    browser.wait_for(f"return location.pathname === '/jobs/{job}'", what="the job page after signing in")
    check("a submit token sees the retry button", browser.run("return !!document.querySelector('form[action$=\"/retry\"]:not([hidden])')"))

    def jobs_count():
        _, _, body = fetch(f"{base}/v1/jobs?limit=100", headers={"Authorization": f"Bearer {t['read_token']}"})
        return len(json.loads(body)["jobs"])

    count = jobs_count()
    # Another site (localhost is not the same site as 127.0.0.1) posts a form to the retry button's URL.
    page = ATTACKER.format(target=f"{base}/jobs/{job}/retry").encode()

    class Attacker(http.server.BaseHTTPRequestHandler):
        timeout = 5

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Attacker) as attacker:
        threading.Thread(target=attacker.serve_forever, daemon=True).start()
        browser.get(f"http://localhost:{attacker.server_address[1]}/")
        browser.wait_for("return location.host.startsWith('127.0.0.1')", what="the cross-site post's answer")
        answer = browser.run("return [document.title, document.body.textContent.slice(0, 300)]")
        attacker.shutdown()
    check("a cross-site form post fails", "Forbidden" in answer[0] and jobs_count() == count, (answer, count))
    browser.screenshot(os.path.join(artifacts, "cross-site-refused.png"))
    browser.get(f"{base}/jobs/{job}")
    browser.click("form[action$='/retry'] button")
    browser.wait_for(f"return location.pathname !== '/jobs/{job}' && location.pathname.startsWith('/jobs/')", what="the retried job's page")
    check("the page's own retry button works", jobs_count() == count + 1)
    status, _, body = fetch(f"{base}/jobs/{job}/retry", data=b"csrf=x", method="POST",
                            headers={"Content-Type": "application/x-www-form-urlencoded"})
    check("a form post without the session is refused", status == 403, status)


def main():
    browser = Browser()

    def overdue(signum, frame):
        raise TimeoutError("the browser test ran past its deadline")

    # A deadline of its own: a hung step ends as a failure, with Chromium ended by close().
    signal.signal(signal.SIGALRM, overdue)
    signal.alarm(int(os.environ.get("SLIPWAY_BROWSER_TEST_DEADLINE", "600")))
    try:
        for part in (open_server, token_server):
            try:
                part(browser)
            except Exception:
                check(f"{part.__name__} ran to its end", False, traceback.format_exc())
        measurements["chromium_pid"] = browser.browser_pid
    finally:
        browser.close()
    if measurements.get("chromium_pid"):
        alive = os.path.exists(f"/proc/{measurements['chromium_pid']}")
        if alive:
            try:
                state = open(f"/proc/{measurements['chromium_pid']}/stat").read().rsplit(")", 1)[1].split()[0]
                alive = state != "Z"
            except OSError:
                alive = False
        check("Chromium is gone after the run", not alive)
    print(json.dumps({"checks": checks, "measurements": measurements}))
    sys.exit(0 if all(c["passed"] for c in checks) else 1)


if __name__ == "__main__":
    main()
