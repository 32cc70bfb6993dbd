"""risk/views (being built)."""

from fastapi import APIRouter

router = APIRouter()
