"""Dialogs that size to their content: a validation message appearing makes the dialog
taller instead of squashing the fields above it (a word-wrapped message asks for its height
only once its width is known, which a window's minimum size does not follow by itself)."""

from __future__ import annotations

from PySide6.QtWidgets import QLayout, QLineEdit, QSizePolicy, QSpacerItem, QWidget


def keep_contents_visible(dialog: QWidget) -> None:
    """The dialog can never be made smaller than its content needs, nor narrower than the
    minimum width it was given (which the layout's own minimum would otherwise replace)."""
    layout = dialog.layout()
    if layout is None:
        return
    wanted = dialog.minimumWidth()
    layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    if wanted > 0:
        margins = layout.contentsMargins()
        layout.addItem(
            QSpacerItem(
                max(wanted - margins.left() - margins.right(), 0),
                0,
                QSizePolicy.Policy.Fixed,
                QSizePolicy.Policy.Minimum,
            )
        )


def grow_to_fit(dialog: QWidget) -> None:
    """Grows the dialog to what its content now asks (a message appeared): never narrower
    or shorter than it is, never beyond the screen."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.invalidate()
    layout.activate()
    width = max(dialog.width(), dialog.minimumSizeHint().width())
    height = dialog.sizeHint().height()
    if layout.hasHeightForWidth():
        height = max(height, layout.totalHeightForWidth(width))
    height = max(dialog.height(), height, dialog.minimumSizeHint().height())
    screen = dialog.screen().availableGeometry()
    width, height = min(width, screen.width()), min(height, screen.height())
    dialog.setMinimumHeight(min(height, screen.height()))
    if (width, height) != (dialog.width(), dialog.height()):
        dialog.resize(width, height)


def room_for_placeholder(edit: QLineEdit) -> None:
    """The field is never narrower than its grey hint, frame and padding included, so the
    hint ("At least 12 characters; a short phrase works well") is never cut."""
    metrics = edit.fontMetrics()
    edit.setMinimumWidth(metrics.horizontalAdvance(edit.placeholderText()) + 3 * metrics.height())
