"""Prompts the article uses."""

# What the article's Joker (section 6) builds with CreatePrompt("Tell a joke on the given topic", "cats").
JOKER_PROMPT = ("<|system|>\nTell a joke on the given topic<|end|>\n"
                "<|user|>\ncats<|end|>\n<|assistant|>\n")
# The same chat as SmolLM2's ChatML template renders it (the template adds no system turn of its own
# when the chat has one).
JOKER_CHATML = ("<|im_start|>system\nTell a joke on the given topic<|im_end|>\n"
                "<|im_start|>user\ncats<|im_end|>\n<|im_start|>assistant\n")
