#include "app/mainwindow/help_dialog.h"

#include "core/config/presets.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace tau::app {

QString HelpDialog::explorerSection(const QString& readme)
{
    const qsizetype start = readme.indexOf(QStringLiteral("\n## The explorer"));
    if (start < 0) {
        return {};
    }
    const qsizetype end = readme.indexOf(QStringLiteral("\n## "), start + 1);
    return readme.mid(start + 1, end < 0 ? -1 : end - start - 1);
}

HelpDialog::HelpDialog(QWidget* parent) : QDialog(parent)
{
    setObjectName(QStringLiteral("helpDialog"));
    setWindowTitle(tr("TaU Explorer Help"));
    auto* browser = new QTextBrowser;
    browser->setObjectName(QStringLiteral("helpText"));
    browser->setOpenExternalLinks(true);
    QString text;
    if (const auto readme = core::findDocument("README.md")) {
        QFile file(QString::fromStdString(*readme));
        if (file.open(QIODevice::ReadOnly | QIODevice::Text)) {
            text = explorerSection(QString::fromUtf8(file.readAll()));
            browser->setSearchPaths({QString::fromStdString(*readme).section(QLatin1Char('/'), 0, -2)});
        }
    }
    if (text.isEmpty()) {
        text = tr("# Help\n\nThe README (README.md, installed in /usr/share/doc/tau-explorer) was not found. "
                  "`tau --help` lists the commands; `man tau-explorer` describes the application.");
    }
    browser->setMarkdown(text);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(browser);
    layout->addWidget(buttons);
    resize(820, 640);
}

} // namespace tau::app
