"""Login sessions in redis: `session:<sid>` (JSON, TTL = token lifetime) and `user-sessions:<user id>`
(a set of that user's session ids, pruned lazily as sessions expire)."""
import json
import secrets
import time
from typing import Any, Dict, List, Optional

import redis


def _session_key(session_id: str) -> str:
    return f"session:{session_id}"


def _user_key(user_id: int) -> str:
    return f"user-sessions:{user_id}"


class SessionStore:
    def __init__(self, client: "redis.Redis", ttl_seconds: int):
        self._redis = client
        self.ttl_seconds = ttl_seconds

    def create(self, user_id: int, email: str) -> str:
        session_id = secrets.token_hex(16)
        record = json.dumps({"user_id": user_id, "email": email, "created_at": int(time.time())})
        pipe = self._redis.pipeline()
        pipe.set(_session_key(session_id), record, ex=self.ttl_seconds)
        pipe.sadd(_user_key(user_id), session_id)
        pipe.expire(_user_key(user_id), self.ttl_seconds)
        pipe.execute()
        return session_id

    def get(self, session_id: str) -> Optional[Dict[str, Any]]:
        raw = self._redis.get(_session_key(session_id))
        return json.loads(raw) if raw else None

    def list_for_user(self, user_id: int) -> List[Dict[str, Any]]:
        sessions = []
        for session_id in sorted(self._redis.smembers(_user_key(user_id))):
            ttl = self._redis.ttl(_session_key(session_id))
            if ttl < 0:  # -2: expired or deleted
                self._redis.srem(_user_key(user_id), session_id)
                continue
            sessions.append({"session_id": session_id, "ttl": ttl})
        return sessions

    def delete(self, user_id: int, session_id: str) -> bool:
        pipe = self._redis.pipeline()
        pipe.delete(_session_key(session_id))
        pipe.srem(_user_key(user_id), session_id)
        deleted, _ = pipe.execute()
        return deleted == 1

    def delete_all(self, user_id: int) -> int:
        session_ids = self._redis.smembers(_user_key(user_id))
        pipe = self._redis.pipeline()
        for session_id in session_ids:
            pipe.delete(_session_key(session_id))
        pipe.delete(_user_key(user_id))
        pipe.execute()
        return len(session_ids)
