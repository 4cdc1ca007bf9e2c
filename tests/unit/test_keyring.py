"""Key-encryption keys as written in a key file or in COPRODUCE_KEY: bad material is refused in plain words."""

import uuid

import pytest

from service.infra.keyring import KeyCustodyError, new_entry, parse


def test_entries_are_read_oldest_first_from_lines_spaces_or_commas_and_comments_are_skipped():
    first, second, third = new_entry(), new_entry(), new_entry()
    keyring = parse(f"# a comment\n{first}\n{second}, {third}  # the newest\n", "the key file k")
    assert list(keyring.keks) == [e.split(":")[0] for e in (first, second, third)]
    assert keyring.newest == third.split(":")[0]


@pytest.mark.parametrize(("text", "says"), [
    ("", "the key file k holds no key-encryption key"),
    ("# only a comment\n", "holds no key-encryption key"),
    ("abc", "entry 1 is not <id>:<base64 of 32 bytes>"),
    (f"{new_entry()} abc:c2hvcnQ=", "entry 2 is not <id>:<base64 of 32 bytes>"),
    ("abc:not base64!", "entry 1 is not"),
], ids=["empty", "comment only", "no colon", "second entry short", "not base64"])
def test_malformed_key_material_is_refused_naming_the_entry(text, says):
    with pytest.raises(KeyCustodyError, match=says):
        parse(text, "the key file k")


def test_an_id_given_twice_is_refused():
    entry = new_entry()
    with pytest.raises(KeyCustodyError, match=f"the id {entry.split(':')[0]} is given twice"):
        parse(f"{entry}\n{entry}", "COPRODUCE_KEY")


def test_a_wrapped_key_opens_only_for_its_own_person_and_its_own_key_encryption_key():
    keyring, other = parse(new_entry(), "k"), parse(new_entry(), "another file")
    person, key = uuid.uuid4(), bytes(range(32))
    kek_id, wrapped = keyring.wrap(person, key)
    assert keyring.unwrap(person, kek_id, wrapped) == key
    with pytest.raises(KeyCustodyError, match="does not open"):
        keyring.unwrap(uuid.uuid4(), kek_id, wrapped)
    with pytest.raises(KeyCustodyError, match="which another file does not hold"):
        other.unwrap(person, kek_id, wrapped)
