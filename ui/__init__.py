"""The web chat: a Gradio page over ``qa.NewsQA``.

``ui.render`` holds pure HTML/Markdown builders (testable without Gradio), ``ui.app`` wires the
page, ``ui.server`` launches it and ``ui.cli`` registers ``newsqa serve`` without importing Gradio.
"""
