"""A minimal W3C WebDriver client for Debian's chromedriver and headless Chromium.

Standard library only. Chromium runs headless, with its own profile directory and no network
beyond loopback; `Browser.close()` ends the session, then Chromium and chromedriver by their
process ids, on every path (it is also called on SIGTERM and at exit).
"""

import atexit
import base64
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


class WebDriverError(Exception):
    def __init__(self, error, message):
        super().__init__(f"{error}: {message}")
        self.error = error


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, width=1280, height=900, chromium="/usr/bin/chromium", chromedriver="/usr/bin/chromedriver"):
        self.profile = tempfile.mkdtemp(prefix="slipway-chromium-")
        self.port = free_port()
        self.driver = subprocess.Popen([chromedriver, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.session = None
        self.browser_pid = None
        self.closed = False
        atexit.register(self.close)
        previous = signal.getsignal(signal.SIGTERM)

        def on_term(signum, frame):
            self.close()
            if callable(previous):
                previous(signum, frame)
            raise SystemExit(143)

        signal.signal(signal.SIGTERM, on_term)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self._call("GET", "/status").get("ready"):
                    break
            except (OSError, WebDriverError):
                pass
            if time.monotonic() > deadline:
                self.close()
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.05)
        arguments = [
            "--headless=new", "--disable-gpu", "--no-first-run", "--no-sandbox", f"--user-data-dir={self.profile}",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-default-apps", "--disable-extensions", "--disable-dev-shm-usage",
            "--disable-crash-reporter", "--disable-breakpad",
            "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
            # Only loopback resolves: nothing the page or the browser does can reach another host.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
            "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost",
            f"--window-size={width},{height}",
        ]
        capabilities = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": {"binary": chromium, "args": arguments},
        }}}
        try:
            value = self._call("POST", "/session", capabilities)
            self.session = value["sessionId"]
            self.browser_pid = self._child_of(self.driver.pid)
        except Exception:
            self.close()
            raise

    @staticmethod
    def _children():
        """Each live process's parent id."""
        parents = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as file:
                    parents[int(entry)] = int(file.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
        return parents

    @classmethod
    def _child_of(cls, parent):
        """The process id of Chromium, the child chromedriver started."""
        return next((pid for pid, ppid in cls._children().items() if ppid == parent), None)

    @classmethod
    def _descendants(cls, root):
        parents = cls._children()
        found, frontier = [], [root]
        while frontier:
            current = frontier.pop()
            for pid, ppid in parents.items():
                if ppid == current:
                    found.append(pid)
                    frontier.append(pid)
        return found

    # -- protocol

    def _call(self, method, path, payload=None, timeout=60):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            body = json.loads(error.read() or b"{}")
            value = body.get("value", {})
            raise WebDriverError(value.get("error", str(error.code)), value.get("message", "")[:500]) from None
        return body.get("value", body)

    def call(self, method, path, payload=None, timeout=60):
        return self._call(method, f"/session/{self.session}{path}", payload, timeout)

    def cdp(self, command, params=None):
        return self.call("POST", "/goog/cdp/execute", {"cmd": command, "params": params or {}})

    # -- conveniences

    def get(self, url):
        self.call("POST", "/url", {"url": url})

    def run(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def run_async(self, script, *args):
        return self.call("POST", "/execute/async", {"script": script, "args": list(args)})

    def wait_for(self, script, *args, timeout=20, what="condition"):
        deadline = time.monotonic() + timeout
        while True:
            value = self.run(script, *args)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def element(self, css):
        value = self.call("POST", "/element", {"using": "css selector", "value": css})
        return next(iter(value.values()))

    def click(self, css):
        self.call("POST", f"/element/{self.element(css)}/click", {})

    def type(self, css, text):
        self.call("POST", f"/element/{self.element(css)}/value", {"text": text})

    def keys(self, *keys):
        actions = []
        for key in keys:
            actions += [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        self.call("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})
        self.call("DELETE", "/actions")

    def alert_text(self):
        """The text of an open dialog, or None."""
        try:
            return self.call("GET", "/alert/text")
        except WebDriverError as error:
            if error.error == "no such alert":
                return None
            raise

    def screenshot(self, path):
        data = self.call("GET", "/screenshot")
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def resize(self, width, height):
        self.call("POST", "/window/rect", {"width": width, "height": height})

    def cookies(self):
        return self.call("GET", "/cookie")

    def delete_cookies(self):
        self.call("DELETE", "/cookie")

    def close(self):
        if self.closed:
            return
        self.closed = True
        if self.session:
            try:
                self._call("DELETE", f"/session/{self.session}", timeout=10)
            except Exception:
                pass
        # Chromium and every process it started, by process id, whatever the session did.
        leftovers = self._descendants(self.driver.pid) if self.driver.poll() is None else []
        if self.browser_pid:
            leftovers = [self.browser_pid] + [p for p in self._descendants(self.browser_pid) if p not in leftovers] + leftovers
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.driver.poll() is None:
            self.driver.terminate()
            try:
                self.driver.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()
        subprocess.run(["rm", "-rf", self.profile], check=False)
