#!/usr/bin/env python3
"""Open an HTML report in headless Chromium and say what happened, as JSON.

    report-check.py CHROMIUM FILE [--screenshot PNG] [--height PX] [--pdf-a4 PDF] [--pdf-letter PDF]

Talks to Chromium through the DevTools protocol over a pipe (--remote-debugging-pipe:
no port is opened), loads FILE from disk, and prints one JSON object:
  console     console messages of level error or warning, and uncaught exceptions
  requests    every network request the page made, other than FILE itself
  dialogs     alert/confirm/prompt dialogs the page opened (injected script would)
  svgs        [width, height] of every <svg> element as laid out
  scripts     number of <script> elements in the DOM
  suspicious  elements that a report never contains (img, iframe, object, embed,
              form, link, base) or that carry an on* event-handler attribute
  pdf_pages   pages of each PDF printed (A4 and Letter), when asked for
  sorting     sortable columns clicked (each twice) and those that did not sort
Exits 2 when Chromium cannot be driven (the JSON then has "error").
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time


def main():
    args = sys.argv[1:]
    chromium, page = args[0], os.path.abspath(args[1])
    options = {}
    i = 2
    while i < len(args):
        options[args[i]] = args[i + 1]
        i += 2
    width = 1200
    height = int(options.get("--height", "1600"))
    to_chromium_r, to_chromium_w = os.pipe()
    from_chromium_r, from_chromium_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="report-check-")

    def child_fds():
        # Copies first: dup2 onto the same number would keep close-on-exec.
        a, b = os.dup(to_chromium_r), os.dup(from_chromium_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    process = subprocess.Popen(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
         "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
         "--force-color-profile=srgb", "--font-render-hinting=none", "about:blank"],
        preexec_fn=child_fds, close_fds=False, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(profile, "stderr.log"), "wb"))
    os.close(to_chromium_r)
    os.close(from_chromium_w)
    buffer = b""
    events = []
    next_id = [0]
    deadline = time.time() + 90

    def send(method, params=None, session=None):
        next_id[0] += 1
        message = {"id": next_id[0], "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(to_chromium_w, json.dumps(message).encode() + b"\0")
        return next_id[0]

    def read_message():
        nonlocal buffer
        while b"\0" not in buffer:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([from_chromium_r], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(from_chromium_r, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            buffer += chunk
        message, buffer = buffer.split(b"\0", 1)
        message = json.loads(message)
        if message.get("method") == "Page.javascriptDialogOpening":
            # Count it, and close it: an open dialog would block the page.
            send("Page.handleJavaScriptDialog", {"accept": False}, message.get("sessionId"))
        return message

    def call(method, params=None, session=None):
        wanted = send(method, params, session)
        while True:
            message = read_message()
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(method + ": " + json.dumps(message["error"]))
                return message.get("result", {})
            events.append(message)

    def wait_for(method, seconds):
        end = time.time() + seconds
        for e in events:
            if e.get("method") == method:
                return True
        while time.time() < end:
            message = read_message()
            events.append(message)
            if message.get("method") == method:
                return True
        return False

    result = {}
    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            call(domain + ".enable", {}, session)
        call("Emulation.setDeviceMetricsOverride",
             {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
        url = "file://" + page
        call("Page.navigate", {"url": url}, session)
        wait_for("Page.loadEventFired", 30)
        # Let late work (timers, lazy fetches) show itself.
        end = time.time() + 1.0
        while time.time() < end:
            ready, _, _ = select.select([from_chromium_r], [], [], 0.1)
            if ready or b"\0" in buffer:
                events.append(read_message())
        probe = """JSON.stringify({
          svgs: Array.from(document.querySelectorAll('svg')).map(function (s) {
            var r = s.getBoundingClientRect(); return [r.width, r.height]; }),
          scripts: document.querySelectorAll('script').length,
          suspicious: Array.from(document.querySelectorAll('*')).filter(function (e) {
            return ['IMG', 'IFRAME', 'OBJECT', 'EMBED', 'FORM', 'LINK', 'BASE', 'image', 'foreignObject', 'use']
              .indexOf(e.tagName) >= 0 ||
              Array.from(e.attributes).some(function (a) { return /^on/i.test(a.name); });
          }).map(function (e) { return e.outerHTML.slice(0, 200); }),
          height: document.documentElement.scrollHeight
        })"""
        value = call("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session)
        result.update(json.loads(value["result"]["value"]))
        if "--screenshot" in options:
            shot = call("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width,
                         "height": min(height, result["height"]), "scale": 1}}, session)
            with open(options["--screenshot"], "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        pages = {}
        for key, paper in (("--pdf-a4", (8.27, 11.69)), ("--pdf-letter", (8.5, 11.0))):
            if key in options:
                pdf = call("Page.printToPDF", {
                    "paperWidth": paper[0], "paperHeight": paper[1], "preferCSSPageSize": False,
                    "printBackground": True}, session)
                data = base64.b64decode(pdf["data"])
                with open(options[key], "wb") as f:
                    f.write(data)
                pages[key[6:]] = data.count(b"/Type /Page\n") or data.count(b"/Type /Page") - data.count(b"/Type /Pages")
        result["pdf_pages"] = pages
        # Last, as it reorders rows: every sortable column, clicked twice,
        # must sort ascending and then descending.
        sort_probe = """JSON.stringify((function () {
          var checked = 0, problems = [];
          document.querySelectorAll('table.sortable').forEach(function (t, ti) {
            Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, col) {
              var b = th.querySelector('button');
              if (!b) { return; }
              var numeric = th.classList.contains('num');
              [1, -1].forEach(function (dir) {
                b.click();
                checked++;
                var values = Array.prototype.map.call(t.tBodies[0].rows, function (r) {
                  var c = r.cells[col];
                  var v = c.hasAttribute('data-v') ? c.getAttribute('data-v') : c.textContent;
                  return numeric ? parseFloat(v) || 0 : v.toLowerCase();
                });
                for (var i = 1; i < values.length; i++) {
                  if ((dir > 0 && values[i - 1] > values[i]) || (dir < 0 && values[i - 1] < values[i])) {
                    problems.push('table ' + ti + ' column ' + col + (dir > 0 ? ' ascending' : ' descending'));
                    break;
                  }
                }
              });
            });
          });
          return {checked: checked, problems: problems};
        })())"""
        value = call("Runtime.evaluate", {"expression": sort_probe, "returnByValue": True}, session)
        result["sorting"] = json.loads(value["result"]["value"])
        console, requests, dialogs = [], [], []
        for e in events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                console.append(params.get("exceptionDetails", {}).get("text", "exception"))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                console.append(params["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                request_url = params.get("request", {}).get("url", "")
                if request_url != url:
                    requests.append(request_url)
            elif method == "Page.javascriptDialogOpening":
                dialogs.append(params.get("message", ""))
        result.update({"console": console, "requests": requests, "dialogs": dialogs})
        try:
            call("Browser.close")
        except Exception:
            pass
        status = 0
    except Exception as error:  # report, do not hide
        result["error"] = "%s: %s" % (type(error).__name__, error)
        status = 2
    finally:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(result))
    sys.exit(status)


if __name__ == "__main__":
    main()
