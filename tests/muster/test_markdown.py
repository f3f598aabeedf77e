"""Markdown to sanitised HTML: one parser per thread, reset between texts, so nothing of one text reaches the next."""

import threading

from muster.markdown import render_markdown, render_markdown_with_toc


def test_a_text_keeps_nothing_of_the_text_rendered_before_it() -> None:
    first_html, first_toc = render_markdown_with_toc("# Shelters\n\nOpen at six[^1].\n\n[^1]: Sign in at the door.")
    second_html, second_toc = render_markdown_with_toc("Water at **noon**.")

    assert "Sign in at the door" in first_html
    assert "Shelters" in first_toc
    assert second_html == "<p>Water at <strong>noon</strong>.</p>"
    assert second_toc == ""


def test_threads_render_side_by_side_without_mixing_texts() -> None:
    results: dict[int, str] = {}

    def render(number: int) -> None:
        for _ in range(50):
            results[number] = render_markdown(f"# Sector {number}\n\nteam *{number}*")

    threads = [threading.Thread(target=render, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for number, html in results.items():
        assert f"Sector {number}</h1>" in html
        assert f"<em>{number}</em>" in html


def test_markup_that_could_run_script_is_removed() -> None:
    html = render_markdown('<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">')

    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
