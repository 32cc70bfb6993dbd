"""The expert registry (专家库): experts by field and place, their availability and consultations."""
