"""Other spellings of a signed token, to prove that only the issued one is accepted."""

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def other_spellings(token: str) -> list[str]:
    """The same token with the spare low bits of its last character set otherwise (in the
    last base64 run: an itsdangerous token ends in ``.<signature>``), and with a character
    outside the alphabet ("~", which URLs carry as it is) before its last."""
    spare = {2: 4, 3: 2}.get(len(token.rsplit(".", 1)[-1]) % 4, 0)  # padding bits at the end
    value = ALPHABET.index(token[-1])
    flipped = [token[:-1] + ALPHABET[value ^ flip] for flip in range(1, 1 << spare)]
    return [*flipped, f"{token[:-1]}~{token[-1]}"]
