#pragma once

#include <QDialog>

namespace tau::app {

/** F1: the README's section on the explorer, rendered (from the installed docs, or the checkout's README). */
class HelpDialog : public QDialog
{
    Q_OBJECT

public:
    explicit HelpDialog(QWidget* parent = nullptr);

    /** The Markdown of README's "## The explorer" section, up to the next "## " heading; empty when not found. */
    static QString explorerSection(const QString& readme);
};

} // namespace tau::app
