#!/usr/bin/python3
"""web_browser.py - the web service in a real browser (issue 12, item 7).

Drives headless Chromium through chromium-driver (Debian's python3-selenium)
against a federation that tests/test_web.sh started with tools/federation:
a social worker, a supervisor, a provider and an admin of region 01's node,
and region 02's node for the Swedish page.  Every page is checked with
axe-core (no serious or critical violation) and written as a screenshot.
Prints one "ok - ..." or "FAIL - ..." line per check (tests/lib.sh style)
and exits 1 when any failed.  Every wait is bounded.
"""
import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException,
                                        TimeoutException, WebDriverException)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

PASS = 0
FAIL = 0


def ok(desc):
    global PASS
    PASS += 1
    print("ok - " + desc, flush=True)


def fail(desc, why=""):
    global FAIL
    FAIL += 1
    print("FAIL - " + desc + ("\n  " + why if why else ""), flush=True)


def check(cond, desc, why=""):
    if cond:
        ok(desc)
    else:
        fail(desc, why)
    return cond


def po_msgstr(path, msgid):
    """The translation of msgid in a .po file (simple entries only)."""
    text = open(path, encoding="utf-8").read()
    m = re.search(r'\nmsgid "%s"\nmsgstr "([^"]*)"' % re.escape(msgid), text)
    return m.group(1) if m else None


class Browser:
    def __init__(self, args):
        self.args = args
        opts = Options()
        opts.binary_location = args.chromium
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-dev-shm-usage", "--window-size=1280,1800",
                  "--lang=fi", "--no-first-run",
                  "--user-data-dir=" + args.profile):
            opts.add_argument(a)
        opts.add_experimental_option("prefs", {"intl.accept_languages": "fi"})
        self.d = webdriver.Chrome(service=Service(args.chromedriver),
                                  options=opts)
        self.d.set_page_load_timeout(60)
        self.d.set_script_timeout(60)
        self.axe = open(args.axe, encoding="utf-8").read()

    def get(self, base, path):
        self.d.get(base + path)

    # While a page replaces another, chromedriver may answer a look-up
    # with "Node with given id does not belong to the document" (seen on
    # a loaded machine): the waits ask again instead of failing.
    RACES = (WebDriverException,)

    def wait_css(self, css, secs=30):
        return WebDriverWait(self.d, secs, ignored_exceptions=self.RACES).until(
            lambda d: d.find_elements(By.CSS_SELECTOR, css))

    def shot(self, name):
        path = os.path.join(self.args.screens, name + ".png")
        h = self.d.execute_script("return document.body.scrollHeight")
        self.d.set_window_size(1280, max(800, min(int(h) + 50, 8000)))
        self.d.save_screenshot(path)
        self.d.set_window_size(1280, 1800)
        return path

    def axe_check(self, name):
        """axe-core on the page: no serious or critical violation."""
        self.d.execute_script(self.axe)
        res = self.d.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']})"
            ".then(function (r) { done(JSON.stringify(r.violations)); })"
            ".catch(function (e) { done(JSON.stringify({error: String(e)})); });")
        v = json.loads(res)
        if isinstance(v, dict):
            fail("axe-core ran on " + name, v.get("error", ""))
            return
        bad = [x for x in v if x.get("impact") in ("serious", "critical")]
        AXE[name] = {"violations": len(v), "serious_or_critical": len(bad),
                     "rules": sorted({x["id"] for x in v})}
        check(not bad, "axe-core: no serious or critical violation on " + name,
              "; ".join("%s (%s): %s" % (x["id"], x["impact"],
                                         x["nodes"][0]["target"])
                        for x in bad))

    def page(self, name):
        self.axe_check(name)
        self.shot(name)

    def sign_in(self, base, user, password, nxt=""):
        self.d.delete_all_cookies()
        self.get(base, "/login" + nxt)
        self.d.find_element(By.ID, "username").clear()
        self.d.find_element(By.ID, "username").send_keys(user)
        self.d.find_element(By.ID, "password").send_keys(password)
        form = self.d.find_element(By.CSS_SELECTOR, "form.login")
        form.find_element(By.TAG_NAME, "button").click()
        # The next page, whatever it is, has replaced this one.
        WebDriverWait(self.d, 30, ignored_exceptions=self.RACES).until(
            EC.staleness_of(form))

    def cookie_header(self):
        return "; ".join("%s=%s" % (c["name"], c["value"])
                         for c in self.d.get_cookies())

    def no_alert(self):
        try:
            self.d.switch_to.alert
            return False
        except NoAlertPresentException:
            return True


AXE = {}


def http(url, cookie="", data=None):
    """(status, body) of a plain request with the browser's cookies."""
    req = urllib.request.Request(url, data=data, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def rows(b):
    return b.d.find_elements(By.CSS_SELECTOR, "#results tbody tr")


def main():
    ap = argparse.ArgumentParser()
    for a in ("web1", "web2", "screens", "axe", "chromium", "chromedriver",
              "profile", "po_sv", "users", "foreign_unit", "foreign_bid",
              "own_unit", "own_age", "other_unit", "xss_unit", "import_file"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    args = ap.parse_args()
    users = json.load(open(args.users))
    os.makedirs(args.screens, exist_ok=True)
    try:
        b = Browser(args)
    except WebDriverException as e:
        fail("headless Chromium starts", str(e).splitlines()[0])
        return 1
    W1, W2 = args.web1, args.web2
    try:
        run(b, args, users, W1, W2)
    except (TimeoutException, WebDriverException) as e:
        fail("the browser session ran to its end", "%s at %s: %s" % (
            type(e).__name__, b.d.current_url, str(e).splitlines()[0]))
        try:
            b.shot("failure")
        except WebDriverException:
            pass
    finally:
        b.d.quit()
    with open(os.path.join(args.screens, "axe.json"), "w") as f:
        json.dump(AXE, f, indent=1, sort_keys=True)
    print("%d passed, %d failed" % (PASS, FAIL))
    return 1 if FAIL else 0


def run(b, args, users, W1, W2):
    d = b.d
    # --- sign-in page; a page needing sign-in sends there ----------------
    b.get(W1, "/search")
    check("/login" in d.current_url, "a page that needs sign-in leads to /login",
          d.current_url)
    check(d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fi",
          "Finnish by default (Accept-Language fi)")
    b.page("login")

    # --- wrong passwords are throttled (an account of its own) ------------
    t = users["throttled"]
    reasons = []
    for i in range(7):
        b.sign_in(W1, t["name"], "wrong-password-%d" % i)
        e = d.find_elements(By.ID, "login-error")
        reasons.append(e[0].get_attribute("data-reason") if e else "none")
    check(reasons[:5] == ["wrong"] * 5 and reasons[-1] == "throttled",
          "wrong passwords: refused, then throttled", str(reasons))
    b.sign_in(W1, t["name"], t["password"])
    e = d.find_elements(By.ID, "login-error")
    check(e and e[0].get_attribute("data-reason") == "throttled",
          "while throttled even the right password is refused without a check",
          d.current_url)

    # --- supervisor: a corrective demand about another region's unit ------
    s = users["supervisor"]
    b.sign_in(W1, s["name"], s["password"])
    b.wait_css("#search-form")
    check(d.current_url.endswith("/search"), "the supervisor lands on the "
          "search page", d.current_url)
    b.get(W1, "/supervision")
    b.page("supervision")
    d.find_element(By.CSS_SELECTOR, "#f-kind option[value='order-to-correct']").click()
    d.find_element(By.ID, "f-unit").send_keys(args.foreign_unit)
    d.find_element(By.CSS_SELECTOR, "#f-unit-region option[value='02']").click()
    d.find_element(By.ID, "f-provider").send_keys(args.foreign_bid)
    # A deadline that has passed: the record goes on the overdue list.
    d.execute_script("document.getElementById('f-opened').value = '2026-10-01';"
                     "document.getElementById('f-deadline').value = '2026-11-01';")
    d.find_element(By.CSS_SELECTOR, "#f-status option[value='open']").click()
    d.find_element(By.CSS_SELECTOR,
                   "#f-finding-category-1 option[value='staffing-level']").click()
    d.find_element(By.CSS_SELECTOR,
                   "#f-finding-severity-1 option[value='high']").click()
    d.find_element(By.ID, "f-finding-text-1").send_keys(
        "Night shifts had one instructor only.")
    d.find_element(By.ID, "f-summary").send_keys("Staffing must be corrected.")
    d.find_element(By.CSS_SELECTOR, "#record-form button[type=submit]").click()
    issued = b.wait_css("#issued", 30)
    m = re.search(r"(HVA-01-\d{8}-[0-9a-f]{8})", issued[0].text)
    if not check(m is not None, "the supervisor issues a corrective demand",
                 issued[0].text):
        return
    rid = m.group(1)
    over = d.find_elements(By.CSS_SELECTOR,
                           "#overdue tr[data-record-id='%s']" % rid)
    check(len(over) == 1, "past its deadline it is on the overdue list", rid)
    b.shot("supervision-issued")
    # The form refuses what the schema refuses, beside the field.
    b.get(W1, "/supervision")
    d.find_element(By.ID, "f-unit").send_keys("not a valid id!")
    d.find_element(By.ID, "f-provider").send_keys(args.foreign_bid)
    d.find_element(By.CSS_SELECTOR, "#record-form button[type=submit]").click()
    err = b.wait_css("#err-unit", 30)
    check(bool(err), "a bad unit Id is refused beside its field")
    # The unit's page: the record as its home region answers it.
    deadline = time.time() + 30
    got = []
    while time.time() < deadline:
        b.get(W1, "/units/%s?region=02" % urllib.parse.quote(args.foreign_unit))
        b.wait_css("#regions", 30)
        got = d.find_elements(By.CSS_SELECTOR,
                              "#records tr[data-record-id='%s'][data-region='02']"
                              % rid)
        if got:
            break
        time.sleep(1)
    check(bool(got), "the record is on the unit's page, answered by the unit's "
          "home region (delivered)", rid)
    b.page("unit-supervisor")

    # --- social worker: national search, unit page, shortlist ------------
    w = users["social-worker"]
    b.sign_in(W1, w["name"], w["password"])
    b.wait_css("#search-form")
    b.page("search-form")
    d.find_element(By.ID, "f-age").send_keys("15")
    d.find_element(By.CSS_SELECTOR, "input[name=language][value=fi]").click()
    d.find_element(By.CSS_SELECTOR, "#search-form button[type=submit]").click()
    b.wait_css("#results", 60)
    regs = {r.get_attribute("data-region") for r in rows(b)}
    check(len(rows(b)) > 0 and len(regs) >= 2,
          "a national search gives ranked units from several regions",
          "regions %s, rows %d" % (sorted(regs), len(rows(b))))
    status = d.find_element(By.ID, "regions").text
    check("3" in status, "the regions' status is in plain words", status)
    b.page("search-results")
    # Shortlist as CSV, with the session of the browser.
    url = d.current_url + "&format=csv"
    st, body = http(url, b.cookie_header())
    check(st == 200 and body.startswith("rank,unit-id,name,region"),
          "the shortlist downloads as CSV", "%d %s" % (st, body[:80]))
    # Open a unit of another region from the results.
    link = d.find_elements(By.CSS_SELECTOR,
                           "#results tr[data-region='02'] a")
    if check(bool(link), "a unit of region 02 is in the results"):
        link[0].click()
        b.wait_css("#regions", 60)
        b.page("unit")
    b.get(W1, "/units/%s?region=02" % urllib.parse.quote(args.foreign_unit))
    b.wait_css("#records", 60)
    check(bool(d.find_elements(By.CSS_SELECTOR,
                               "#records tr[data-region='02']")),
          "the social worker sees the unit's supervision history from "
          "another region")
    # The XSS unit name from a peer is text.
    b.get(W1, "/search?age=15&region=02&limit=100")
    b.wait_css("#results", 60)
    x = d.find_elements(By.CSS_SELECTOR,
                        "#results tr[data-unit-id='%s'] th a" % args.xss_unit)
    check(bool(x) and x[0].text == "<script>alert(1)</script>" and b.no_alert()
          and not d.find_elements(By.CSS_SELECTOR, "#results script"),
          "a unit named <script>alert(1)</script> by a peer shows as text",
          x[0].text if x else "row missing")
    b.get(W1, "/stats")
    b.wait_css("svg", 60)
    b.page("stats")

    # --- provider: own units only; the search shows the new figure -------
    p = users["provider"]
    b.sign_in(W1, p["name"], p["password"])
    b.wait_css("#units")
    ids = [r.get_attribute("data-unit-id")
           for r in d.find_elements(By.CSS_SELECTOR, "#units tbody tr")]
    check(args.own_unit in ids and args.other_unit not in ids,
          "the provider sees its own units only", str(ids))
    b.page("provider")
    newfp = str(int(time.time()) % 5 + 1)
    inp = d.find_element(By.ID, "fp-" + args.own_unit)
    inp.clear()
    inp.send_keys(newfp)
    inp.find_element(By.XPATH, "./ancestor::form//button").click()
    saved = b.wait_css("#saved.ok", 30)
    check(bool(saved), "the provider saves its free places")
    # Forged form: another provider's unit in the hidden field.
    b.get(W1, "/provider")
    d.execute_script("var f = document.querySelector('#units form');"
                     "f.querySelector('input[name=unit]').value = arguments[0];"
                     "f.submit();", args.other_unit)
    e = b.wait_css("#saved.error", 30)
    check(bool(e), "a forged form for another provider's unit is refused")
    st, _ = http(W1 + "/search?age=15", b.cookie_header())
    check(st == 403, "the provider may not search (server-side role check)",
          str(st))
    # A request without the CSRF token is refused.
    st, _ = http(W1 + "/provider", b.cookie_header(), data=urllib.parse.urlencode(
        {"unit": args.own_unit, "free-places": "1"}).encode())
    check(st == 403, "a POST without the CSRF token is refused", str(st))
    # The search shows the new figure (the node rebuilds its search data).
    b.sign_in(W1, w["name"], w["password"])
    b.wait_css("#search-form")
    found = None
    deadline = time.time() + 30
    while time.time() < deadline:
        b.get(W1, "/search?age=%s&region=01&limit=100" % args.own_age)
        b.wait_css("#results", 60)
        r = d.find_elements(By.CSS_SELECTOR,
                            "#results tr[data-unit-id='%s'] .free" % args.own_unit)
        found = r[0].text if r else None
        if found == newfp:
            break
        time.sleep(1)
    check(found == newfp, "the search shows the provider's new figure",
          "%s != %s" % (found, newfp))

    # --- admin: accounts, status, audit trail ------------------------------
    a = users["admin"]
    b.sign_in(W1, a["name"], a["password"])
    b.wait_css("#accounts")
    names = d.find_element(By.ID, "accounts").text
    check(w["name"] in names and p["name"] in names,
          "the admin sees the accounts")
    b.page("admin")
    d.find_element(By.ID, "f-dataset").send_keys(args.import_file)
    d.find_element(By.CSS_SELECTOR, "#import-form button").click()
    msg = b.wait_css("#admin-msg", 60)
    check(msg[0].get_attribute("class") == "ok",
          "the admin imports a unit document from a file", msg[0].text)
    audit = d.find_element(By.ID, "audit").text
    check("sign-in" in audit and "search" in audit and "free-places" in audit
          and "record-issued" in audit and "import" in audit,
          "the audit trail has sign-ins, searches, records, free places and "
          "the import")

    # --- Swedish -----------------------------------------------------------
    want = po_msgstr(args.po_sv, "Sign in")
    b.d.delete_all_cookies()
    b.get(W2, "/login")
    d.find_element(By.CSS_SELECTOR, ".lang a[lang=sv]").click()
    b.wait_css("html[lang=sv]", 30)
    h1 = d.find_element(By.TAG_NAME, "h1").text
    check(want and h1 == want, "the Swedish page is in Swedish",
          "h1 %r, po/sv.po %r" % (h1, want))
    b.page("login-sv")


if __name__ == "__main__":
    sys.exit(main())
