"""newsqa's own theme: calm slate and teal, system fonts only (no font CDN), light and dark.

Gradio switches to the ``_dark`` values when the system (or ``?__theme=dark``) asks for dark; the
article view's highlight colours follow the same switch in ``ui.assets.CSS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr


def theme() -> gr.themes.Base:
    import gradio as gr

    return gr.themes.Base(
        primary_hue=gr.themes.colors.teal,
        secondary_hue=gr.themes.colors.amber,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_md,
        font=["system-ui", "-apple-system", "Segoe UI", "Helvetica Neue", "Arial", "sans-serif"],
        font_mono=["ui-monospace", "DejaVu Sans Mono", "monospace"],
    ).set(
        body_background_fill="#f6f7f9",
        body_background_fill_dark="#0f141a",
        background_fill_primary="#ffffff",
        background_fill_primary_dark="#161d26",
        background_fill_secondary="#eef1f4",
        background_fill_secondary_dark="#1c2530",
        block_background_fill="#ffffff",
        block_background_fill_dark="#161d26",
        block_border_color="#dde2e8",
        block_border_color_dark="#2a3542",
        body_text_color="#1b232c",
        body_text_color_dark="#e4e9ef",
        body_text_color_subdued="#55606d",
        body_text_color_subdued_dark="#a3adb9",
        button_primary_background_fill="#0f766e",
        button_primary_background_fill_hover="#115e59",
        button_primary_background_fill_dark="#14b8a6",
        button_primary_background_fill_hover_dark="#2dd4bf",
        button_primary_text_color="#ffffff",
        button_primary_text_color_dark="#04211e",
        link_text_color="#0f766e",
        link_text_color_dark="#5eead4",
        link_text_color_visited="#0f766e",
        link_text_color_visited_dark="#5eead4",
        button_cancel_background_fill="#b42318",
        button_cancel_background_fill_hover="#912018",
        button_cancel_background_fill_dark="#f97066",
        button_cancel_background_fill_hover_dark="#fda29b",
        button_cancel_text_color="#ffffff",
        button_cancel_text_color_dark="#2b0a07",
        input_placeholder_color="#66717e",
        input_placeholder_color_dark="#8f9aa7",
        block_radius="10px",
        block_shadow="0 1px 2px rgba(15, 23, 42, 0.06)",
        block_shadow_dark="none",
    )
