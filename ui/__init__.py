"""The web chat: a Gradio page over ``qa.NewsQA``.

``ui.render`` holds pure HTML/Markdown builders (testable without Gradio), ``ui.app`` wires the
page and ``ui.server`` launches it (``newsqa serve``).
"""
