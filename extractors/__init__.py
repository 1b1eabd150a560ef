"""Extractors: functions from an annotated episode to typed records.

`REGISTRY` names every extractor by a versioned name (changing behaviour bumps
the version); output rows record the names of the extractors that made them.
Modules are imported lazily so that importing this package stays cheap.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Registry:
    """Versioned names of the extractors, read from their modules."""

    def _attr(self, module: str, name: str) -> str:
        return getattr(importlib.import_module(f"extractors.{module}"), name)

    def entities_name(self) -> str:
        return self._attr("entities", "EXTRACTOR_NAME")

    def claims_name(self) -> str:
        return f"{self._attr('claim_detector', 'EXTRACTOR_NAME')}+{self._attr('claims', 'EXTRACTOR_NAME')}"

    def topics_name(self) -> str:
        return self._attr("topics", "TOPIC_EXTRACTOR")

    def stance_name(self, settings) -> str:
        names = self._attr("stance", "BACKEND_NAMES")
        return names[settings.stance_backend]

    def names(self, settings) -> dict[str, str]:
        return {
            "entities": self.entities_name(),
            "claims": self.claims_name(),
            "topics": self.topics_name(),
            "stance": self.stance_name(settings),
        }


REGISTRY = Registry()
