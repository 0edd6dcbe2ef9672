"""bench/ui.sh's browser side: loads slipway's pages and a peer's static file in headless
Chromium and prints medians (Navigation Timing, the log viewer's performance marks)."""

import argparse
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "python"))
from webdriver import Browser  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=10)
parser.add_argument("--base", required=True)
parser.add_argument("--job", type=int, required=True)
parser.add_argument("--lines", type=int, required=True)
parser.add_argument("--peer", required=True)
options = parser.parse_args()

NAVIGATION = """const n = performance.getEntriesByType('navigation')[0];
return {ttfb: n.responseStart - n.startTime, load: n.loadEventEnd - n.startTime, bytes: n.transferSize,
        resources: performance.getEntriesByType('resource').filter(r => r.name.includes('/assets/'))
          .map(r => [r.name.split('/').pop(), r.transferSize, r.encodedBodySize])};"""
MARK = "const m = performance.getEntriesByName(arguments[0])[0]; return m ? m.startTime : null;"


def fresh(browser, url):
    # A new blank document between runs: nothing from the previous page is reused but the cache.
    browser.get("about:blank")
    browser.get(url)


def median(values):
    return round(statistics.median(values), 1)


browser = Browser(width=1280, height=900)
try:
    results = {}
    pipelines = []
    for _ in range(options.runs):
        fresh(browser, f"{options.base}/pipelines")
        browser.wait_for("return document.readyState === 'complete' && performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
        pipelines.append(browser.run(NAVIGATION))
    results["/pipelines TTFB ms"] = median([p["ttfb"] for p in pipelines])
    results["/pipelines load ms"] = median([p["load"] for p in pipelines])
    rows = browser.run("return document.querySelectorAll('tr[data-pipeline-id]').length")

    job = []
    for _ in range(options.runs):
        fresh(browser, f"{options.base}/jobs/{options.job}")
        browser.wait_for("return document.getElementById('log-viewer').dataset.state === 'complete'", timeout=60)
        browser.wait_for(MARK.replace("arguments[0]", "'slipway-log-complete'"))
        timing = browser.run(NAVIGATION)
        timing["first"] = browser.run(MARK, "slipway-log-first-lines")
        timing["complete"] = browser.run(MARK, "slipway-log-complete")
        job.append(timing)
    last = []
    for _ in range(options.runs):
        fresh(browser, f"{options.base}/jobs/{options.job}#L{options.lines}")
        browser.wait_for(MARK.replace("arguments[0]", "'slipway-log-target-shown'"), timeout=60)
        shown = browser.run("const t = document.querySelector('#log-viewer .row.target .ln'); return t && +t.textContent")
        assert shown == options.lines, f"the last line shown is {shown}, not {options.lines}"
        last.append(browser.run(MARK, "slipway-log-target-shown"))
    results["/jobs/{id} 4 MiB TTFB ms"] = median([j["ttfb"] for j in job])
    results["/jobs/{id} 4 MiB load ms"] = median([j["load"] for j in job])
    results["/jobs/{id} 4 MiB first lines ms"] = median([j["first"] for j in job])
    results["/jobs/{id} 4 MiB whole log received ms"] = median([j["complete"] for j in job])
    results["/jobs/{id} 4 MiB last line shown ms"] = median(last)

    peer = []
    for run in range(options.runs):
        # http.server ignores the query; it keeps the browser from answering from its cache.
        fresh(browser, f"{options.peer}?run={run}")
        browser.wait_for("return document.readyState === 'complete' && performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
        peer.append(browser.run(NAVIGATION))
    results["peer static 4 MiB file TTFB ms"] = median([p["ttfb"] for p in peer])
    results["peer static 4 MiB file load ms"] = median([p["load"] for p in peer])

    # Page weight: the last job page's navigation and its own assets, as transferred (gzip);
    # the assets' weight is taken from a load without the cache.
    browser.cdp("Network.enable")
    browser.cdp("Network.setCacheDisabled", {"cacheDisabled": True})
    fresh(browser, f"{options.base}/jobs/{options.job}")
    browser.wait_for("return document.getElementById('log-viewer').dataset.state === 'complete'", timeout=60)
    weight = browser.run(NAVIGATION)
    assets = sum(r[1] for r in weight["resources"])
    fresh(browser, f"{options.base}/pipelines")
    browser.wait_for("return document.readyState === 'complete'")
    list_weight = browser.run(NAVIGATION)

    print(f"runs: {options.runs} (medians); /pipelines shows {rows} pipelines of 2,000; the log has {options.lines} lines")
    for name, value in results.items():
        print(f"{name:45} {value:>10}")
    print(f"{'/pipelines page bytes (gzip)':45} {list_weight['bytes']:>10}")
    print(f"{'/jobs/{id} page bytes (gzip)':45} {weight['bytes']:>10}")
    print(f"{'own assets bytes (gzip, no cache)':45} {assets:>10}   " + ", ".join(f"{n} {t}" for n, t, _ in weight["resources"]))
    ratio = results["/jobs/{id} 4 MiB last line shown ms"] / results["peer static 4 MiB file load ms"]
    print(f"ratio, slipway's last line shown / peer's plain file loaded: {ratio:.2f}")
    ratio = results["/jobs/{id} 4 MiB first lines ms"] / results["peer static 4 MiB file load ms"]
    print(f"ratio, slipway's first lines shown / peer's plain file loaded: {ratio:.2f}")
finally:
    browser.close()
