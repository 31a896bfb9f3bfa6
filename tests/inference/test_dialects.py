"""Phi-3 chat markup is recognised and re-rendered through the model's own chat template."""
from aosrepl.inference import dialects
from tests.inference.prompts import JOKER_CHATML, JOKER_PROMPT


def test_joker_prompt_parses_into_turns():
    chat = dialects.parse_phi3(JOKER_PROMPT)
    assert chat.messages == [
        {"role": "system", "content": "Tell a joke on the given topic"},
        {"role": "user", "content": "cats"},
    ]
    assert chat.prefill == ""


def test_plain_prompts_stay_raw():
    assert dialects.parse_phi3("What is the meaning of life?") is None
    assert dialects.parse_phi3("Say <|user|> please") is None
    assert dialects.parse_phi3("<|user|>\nhi<|end|>\ntrailing words") is None
    assert dialects.parse_phi3(42) is None


def test_prefilled_assistant_turn_is_kept():
    chat = dialects.parse_phi3("<s><|user|>\nName a fruit<|end|>\n<|assistant|>\nSure:")
    assert chat.messages == [{"role": "user", "content": "Name a fruit"}]
    assert chat.prefill == "Sure:"


def test_joker_rendered_through_smollm2_template(engine):
    template = engine._model().metadata["tokenizer.chat_template"]
    chat = dialects.parse_phi3(JOKER_PROMPT)
    assert dialects.render(template, chat) == JOKER_CHATML


def test_template_adds_its_default_system_turn_when_chat_has_none(engine):
    template = engine._model().metadata["tokenizer.chat_template"]
    chat = dialects.parse_phi3("<|user|>\ncats<|end|>\n<|assistant|>\n")
    text = dialects.render(template, chat)
    assert text.startswith("<|im_start|>system\n")
    assert text.endswith("<|im_start|>user\ncats<|im_end|>\n<|im_start|>assistant\n")


def test_engine_renders_joker_prompt_as_chatml(engine):
    assert engine._render(engine._model(), JOKER_PROMPT) == JOKER_CHATML
    assert engine._render(engine._model(), "plain text") == "plain text"
