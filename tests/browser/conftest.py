"""Fixtures for browser tests: a live server, headless Chromium, and a page that records trouble.

Every page opened through the ``page`` fixture records console errors, uncaught
script errors, Content-Security-Policy violations and failed requests, so a test
can assert that a page loaded cleanly as well as what it shows.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}

# Records every Content-Security-Policy violation the page reports. Playwright
# injects init scripts through the DevTools protocol, so the page's own CSP does
# not block this listener.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__musterReportCsp(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
});
"""


@dataclass
class PageTrouble:
    """What went wrong while a page loaded and ran."""

    console_errors: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return [*self.console_errors, *self.script_errors, *self.csp_violations, *self.failed_requests]


@dataclass
class BrowserPage:
    """A Playwright page on the live server, with the trouble it has seen so far."""

    page: Page
    base_url: str
    trouble: PageTrouble

    def open(self, path: str) -> Response:
        """Load ``path`` and wait until the page has settled (scripts run, late reports arrived)."""
        response = self.page.goto(self.base_url + path)
        assert response is not None, f"no response for {path}"
        assert response.ok, f"{path} answered {response.status}"
        self.settle()
        return response

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the real sign-in form, as a member would."""
        self.open("/accounts/login/")
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.settle()


@pytest.fixture(autouse=True)
def _unhashed_static_files(settings: Any) -> None:
    """Serve static files by their source names.

    Production uses WhiteNoise's manifest storage, which needs ``collectstatic``
    to have run; the live server serves straight from the finders instead.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def browser(chromium_path: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    # Playwright's sync API runs an event loop in the test thread; Django refuses
    # ORM calls from a thread with a running loop unless told this is safe. It is
    # here: the loop belongs to Playwright and the ORM calls are ordinary blocking
    # ones. Set only for browser tests, so async tests elsewhere still catch misuse.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_context(browser: Browser, viewport: dict[str, int]) -> BrowserContext:
    # A phone context honours <meta name="viewport">, as a phone's browser does.
    is_phone = viewport["width"] < 600
    return browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        locale="en-US",
        is_mobile=is_phone,
        has_touch=is_phone,
        device_scale_factor=2 if is_phone else 1,
    )


def _watch(context: BrowserContext, live_server_url: str) -> tuple[Page, PageTrouble]:
    trouble = PageTrouble()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            trouble.console_errors.append(f"console: {message.text}")

    def on_response(response: Response) -> None:
        # Navigations are checked by the test itself; sub-resources must all load.
        if response.status >= 400 and response.request.resource_type != "document":
            trouble.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(request: Request) -> None:
        # A request the page itself gave up (a suggestion fetch cut short by leaving the page) is not trouble.
        if request.failure == "net::ERR_ABORTED":
            return
        trouble.failed_requests.append(f"failed {request.url}: {request.failure}")

    def on_csp_violation(description: str) -> None:
        trouble.csp_violations.append(f"csp: {description}")

    context.expose_function("__musterReportCsp", on_csp_violation)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", on_console)
    page.on("pageerror", lambda error: trouble.script_errors.append(f"script: {error}"))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    return page, trouble


def _browser_page(browser: Browser, live_server: Any, viewport: dict[str, int]) -> Iterator[BrowserPage]:
    context = _new_context(browser, viewport)
    try:
        page, trouble = _watch(context, live_server.url)
        yield BrowserPage(page=page, base_url=live_server.url, trouble=trouble)
    finally:
        context.close()


@pytest.fixture
def desktop(browser: Browser, live_server: Any) -> Iterator[BrowserPage]:
    """A desktop-sized page (1280 by 800) on the live server."""
    yield from _browser_page(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[BrowserPage]:
    """A phone-sized page (375 by 667, an iPhone SE) on the live server."""
    yield from _browser_page(browser, live_server, PHONE)
