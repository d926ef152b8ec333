"""What an event handler hands back to Reflex: events for the browser to run next (a redirect, a
toast, another handler), or nothing, which sends the state's changes so far."""

from collections.abc import AsyncIterator, Sequence

from reflex.event import EventHandler, EventSpec

Event = EventSpec | EventHandler
Reply = Event | Sequence[Event] | None
# A handler that yields: each yield sends the changes so far, with the events it names.
Replies = AsyncIterator[Reply]
# What the browser sends with an event: a submitted form's fields, or a row it was drawn from. Nothing
# in it is trusted: a handler reads each value it needs and checks its type.
Payload = dict[str, object]
