"""Custom Streamlit widgets (Custom Components v2, inline JS/CSS, no CDN, no build step)."""
