"""Case data labelled for staff: the form's labels, choice names, yes/no; masked values stay masked."""
from __future__ import annotations

from engine.audit.masking import mask_personal
from engine.matters.files import Choice, FormField, Names
from engine.matters.labels import labelled_data

SEX = FormField("child_gender", "choice", True, Names("新生儿性别", "Child's sex"),
                choices=(Choice("male", Names("男", "Male")), Choice("female", Names("女", "Female"))))
NAME = FormField("child_name", "text", True, Names("新生儿姓名", "Child's name"))
APPROVED = FormField("approved", "boolean", True, Names("准予登记", "Approved"))


def test_values_come_under_their_labels_with_choice_names_and_yes_or_no():
    data = {"child_gender": "female", "approved": False, "child_name": "王小明", "script_flag": True,
            "tags": ["male", "x"], "remark": None, "amount": 18000}
    shown = {v.key: (v.label, v.value) for v in labelled_data(data, [SEX, NAME, APPROVED])}
    assert shown["child_gender"] == (Names("新生儿性别", "Child's sex"), Names("女", "Female"))
    assert shown["approved"] == (Names("准予登记", "Approved"), Names("否", "No"))
    assert shown["script_flag"] == (Names("script_flag", "script_flag"), Names("是", "Yes"))  # no field: its key
    assert shown["child_name"][1] == Names("王小明", "王小明")
    assert shown["remark"][1] == Names("—", "—") and shown["amount"][1] == Names("18000", "18000")
    assert list(shown) == list(data)  # the data's own order
    assert labelled_data(None, [SEX]) == () and labelled_data({}, [SEX]) == ()


def test_the_first_field_of_a_name_gives_the_label():
    other = FormField("child_name", "text", True, Names("参保人姓名", "Insured person's name"))
    assert labelled_data({"child_name": "x"}, [other, NAME])[0].label.zh == "参保人姓名"


def test_labelling_masked_data_never_unmasks():
    masked = mask_personal({"child_name": "王小明", "mother_id": "630104199203152426"}, [NAME])
    shown = {v.key: v.value.en for v in labelled_data(masked, [NAME])}
    assert shown == {"child_name": "王*明", "mother_id": "6301**********2426"}
