"""The situation overview (态势总览): what is happening now in one's jurisdiction, on one screen, and
its big-screen mode for the command hall (指挥大屏)."""
