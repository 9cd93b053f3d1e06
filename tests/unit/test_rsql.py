import pytest

from beleg.domain.querying.rsql import And, Comparison, Or, RsqlError, parse_rsql, selectors


def test_precedence_and_binds_tighter_than_or() -> None:
    node = parse_rsql("type==INVOICE;amount=gt=100,status=in=(OPEN,PAID)")
    assert node == Or(
        (
            And((Comparison("type", "==", ("INVOICE",)), Comparison("amount", ">", ("100",)))),
            Comparison("status", "in", ("OPEN", "PAID")),
        )
    )


def test_groups_words_and_quotes() -> None:
    node = parse_rsql("name=='O\\'Brien & Söhne' and (a<1 or b=ge=\"x y\")")
    assert isinstance(node, And)
    assert node.children[0] == Comparison("name", "==", ("O'Brien & Söhne",))
    assert selectors(node) == {"name", "a", "b"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "name==",
        "=='x'",
        "name=foo=1",
        "name==1)",
        "name=in=(1",
        "name==(1,2)",
        "name=='x' OR 1=1",
        "name==x; DROP TABLE users",
        "a==1;" * 60,
        "x" * 2001,
    ],
)
def test_malformed_expressions_are_refused(text: str) -> None:
    with pytest.raises(RsqlError):
        parse_rsql(text)


def test_error_names_the_position_and_operator() -> None:
    with pytest.raises(RsqlError) as info:
        parse_rsql("role=contains=ADMIN")
    assert "=contains=" in str(info.value) and info.value.position == 5


def test_sql_looking_text_stays_a_literal_value() -> None:
    assert parse_rsql("name==x--") == Comparison("name", "==", ("x--",))
    assert parse_rsql("name==\"' OR '1'='1\"") == Comparison("name", "==", ("' OR '1'='1",))
