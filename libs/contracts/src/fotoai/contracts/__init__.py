"""FotoAI event contracts: versioned event models, topic names, CloudEvents encoding.

Knows no infrastructure: no Kafka client, no storage, no database.
"""

from fotoai.contracts.events import (
    BY_TOPIC,
    EVENT_TYPES,
    Colour,
    Embedding,
    Event,
    ExifSubset,
    Face,
    GpsPosition,
    Operation,
    OriginalObject,
    PhotoDeletedV1,
    PhotoEnhancedV1,
    PhotoIngestedV1,
    PhotoRejectedV1,
    PhotoTaggedV1,
    PhotoUploadedV1,
    QualityFlags,
    RejectReason,
    Rendition,
    StoredObject,
    Tag,
    derived_event_id,
    follow,
    parse_event,
)
from fotoai.contracts.topics import PHOTO_TOPICS, TopicSpec, all_topics, dlq_topic

__all__ = [
    "BY_TOPIC", "EVENT_TYPES", "PHOTO_TOPICS", "Colour", "Embedding", "Event", "ExifSubset", "Face",
    "GpsPosition", "Operation", "OriginalObject", "PhotoDeletedV1", "PhotoEnhancedV1",
    "PhotoIngestedV1", "PhotoRejectedV1", "PhotoTaggedV1", "PhotoUploadedV1", "QualityFlags",
    "RejectReason", "Rendition", "StoredObject", "Tag", "TopicSpec", "all_topics", "dlq_topic",
    "derived_event_id", "follow", "parse_event",
]
