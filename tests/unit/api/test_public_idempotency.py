"""Routes that need no key ignore Idempotency-Key (there is no key to scope it by): same answer, never a 500."""

from passaparola.messages import unsubscribe
from tests.unit.functions import call, load_function


def test_unsubscribe_with_an_idempotency_key_answers_as_without(aws):
    messages_fn = load_function("messages")
    for token in (unsubscribe.token("cus-1", "email", "msg_1"), "a.b"):
        answers = []
        for headers in ({"Idempotency-Key": "k-1"}, {"Idempotency-Key": "k-1"}, {}):
            reply = call(
                messages_fn, "POST", "/v1/unsubscribe", "/v1/unsubscribe", key=None, headers=headers,
                query={"token": token},
            )  # fmt: skip
            answers.append((reply.status, reply.body))
        assert answers[0][0] < 500, answers
        assert answers[0] == answers[1] == answers[2]
