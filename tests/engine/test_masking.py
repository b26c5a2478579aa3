"""What auditors see of personal data: names, resident IDs, phones, accounts, addresses, free text."""
from __future__ import annotations

from engine.audit.masking import mask_personal, mask_text


def test_personal_values_are_masked_by_name_and_by_shape():
    data = {"mother_name": "李芳芳", "mother_id": "630104199203152426", "contact": "13912345678",
            "bank_account": "6222021234567890123", "hukou_address": "西宁市城中区人民街道幸福路12号",
            "nested": {"father_name": "王强", "ids": ["11010519491231002X"]}, "count": 3, "delivery": "home"}
    shown = mask_personal(data, [])
    assert shown["mother_name"] == "李*芳"
    assert shown["mother_id"] == "6301**********2426"
    assert shown["contact"] == "139****5678"
    account = shown["bank_account"]
    assert account.startswith("6222") and account.endswith("0123") and "*" in account
    assert shown["hukou_address"] != data["hukou_address"] and "幸福路12号" not in shown["hukou_address"][:-4]
    assert shown["nested"] == {"father_name": "王*", "ids": ["1101**********002X"]}
    assert shown["count"] == 3 and shown["delivery"] == "home"
    assert data["mother_id"] == "630104199203152426"  # the original is untouched


def test_free_text_keeps_its_words_but_not_the_numbers():
    text = "register: NameError for 630104199203152426, call 13912345678"
    shown = mask_text(text)
    assert "630104199203152426" not in shown and "13912345678" not in shown
    assert shown.startswith("register: NameError for 6301") and mask_text(None) is None


def test_numbers_inside_any_text_at_any_depth_are_masked():
    """The hardening issue's examples: personal numbers inside free text reach auditors masked."""
    data = {"cause_of_death": "家属电话13912345678，身份证110101199003078515",
            "note": "ID 110101199003078515 tel 13912345678", "contact": {"mobile": "139 1234 5678"},
            "letters": ["转账至 6222-0212-3456-7890 请核对"], "case": "20261125-7K3MQ", "year": "2026"}
    shown = mask_personal(data, [])
    everything = repr(shown)
    for secret in ("13912345678", "110101199003078515", "1234 5678", "0212-3456"):
        assert secret not in everything, secret
    assert shown["cause_of_death"].startswith("家属电话1391") and "身份证1101" in shown["cause_of_death"]
    assert shown["note"].startswith("ID 1101") and " tel " in shown["note"]
    assert shown["case"] == "20261125-7K3MQ" and shown["year"] == "2026"  # case numbers and short numbers stay


def test_an_address_keeps_its_region_never_its_end():
    shown = mask_personal({"mail_address": "北京市朝阳区建国路88号张伟收"}, [])["mail_address"]
    assert shown.startswith("北京市朝阳") and "张伟" not in shown and shown.endswith("*")
    assert len(shown) == len("北京市朝阳区建国路88号张伟收")
