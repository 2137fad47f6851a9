import pytest

from o2c.formats.references import classify_reference, qrr_is_valid, rf_is_valid


@pytest.mark.parametrize("ref", ["RF18539007547034", "RF18 5390 0754 7034", "RF71 2348 231"])
def test_valid_rf_references(ref):
    assert rf_is_valid(ref)


@pytest.mark.parametrize("ref", ["RF19539007547034", "RF18", "XX18539007547034", ""])
def test_invalid_rf_references(ref):
    assert not rf_is_valid(ref)


def test_qr_reference_check_digit():
    assert qrr_is_valid("210000000003139471430009017")
    assert not qrr_is_valid("210000000003139471430009018")


def test_scor_label_with_rf_value_is_an_rf_reference():
    ref = classify_reference("SCOR", "RF18 5390 0754 7034")
    assert (ref.kind, ref.value, ref.valid) == ("RF", "RF18539007547034", True)
