"""A publication's own test of its next issue, through the plugin newsletter installs (pytest11)."""


def test_the_next_issue_looks_as_approved(newsletter_snapshot):
    newsletter_snapshot("issues/2024-05-10.yaml", screenshots=True, widths=(375,))
