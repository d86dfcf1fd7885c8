"""Chat sessions in redis: one list per session, `chat:session:<id>`, each item a JSON message.

The TTL (24 h) restarts on every write, so an active conversation does not expire mid-way.
"""
import json
import time
import uuid
from typing import Any, Dict, List, Optional

SESSION_TTL_S = 24 * 3600
_PREFIX = "chat:session:"


class SessionStore:
    def __init__(self, redis_client: Any, ttl_s: int = SESSION_TTL_S):
        self._redis = redis_client
        self._ttl_s = ttl_s

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    @staticmethod
    def valid_id(session_id: str) -> bool:
        return 1 <= len(session_id) <= 64 and all(c.isalnum() or c in "-_" for c in session_id)

    def exists(self, session_id: str) -> bool:
        return bool(self._redis.exists(_PREFIX + session_id))

    def append(self, session_id: str, messages: List[Dict[str, Any]]) -> None:
        key = _PREFIX + session_id
        pipe = self._redis.pipeline(transaction=True)
        for message in messages:
            pipe.rpush(key, json.dumps({"ts": _now(), **message}, default=str))
        pipe.expire(key, self._ttl_s)
        pipe.execute()

    def messages(self, session_id: str) -> Optional[List[Dict[str, Any]]]:
        """The session's messages, oldest first; None when the session does not exist (or expired)."""
        key = _PREFIX + session_id
        pipe = self._redis.pipeline(transaction=True)
        pipe.exists(key)
        pipe.lrange(key, 0, -1)
        exists, raw = pipe.execute()
        if not exists:
            return None
        return [json.loads(item) for item in raw]

    def ttl(self, session_id: str) -> int:
        return int(self._redis.ttl(_PREFIX + session_id))

    def delete(self, session_id: str) -> bool:
        return bool(self._redis.delete(_PREFIX + session_id))


def _now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"
