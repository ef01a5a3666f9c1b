#include "app/mainwindow/script_trust_question.h"

#include "core/models/script_trust.h"

#include <QApplication>
#include <QMessageBox>
#include <QPushButton>

#include <utility>

namespace tau::app {

TrustQuestion trustQuestionDialog(QWidget* window, const QString& acceptText)
{
    return [window, acceptText](const QString& path, const QStringList& reasons) {
        if (QApplication::platformName() == QLatin1String("offscreen")) {
            return false; // nobody to ask
        }
        QMessageBox box(QMessageBox::Warning, QObject::tr("Run this TorchScript encoder?"),
                        QObject::tr("%1 is a TorchScript file: a program, not just weights. It does more than tensor "
                                    "math:\n\n• %2\n\nRun it only if you trust where it came from.")
                            .arg(path, reasons.join(QStringLiteral("\n• "))),
                        QMessageBox::Cancel, window);
        box.setTextFormat(Qt::PlainText); // the reasons come from the file
        QPushButton* trust = box.addButton(acceptText, QMessageBox::AcceptRole);
        box.setDefaultButton(QMessageBox::Cancel);
        box.exec();
        return box.clickedButton() == static_cast<QAbstractButton*>(trust);
    };
}

void PendingTrust::noteRefusal(const QString& path, const QStringList& reasons)
{
    m_path = path;
    m_reasons = reasons;
}

bool PendingTrust::askAndTrust()
{
    const QString path = std::exchange(m_path, QString());
    if (path.isEmpty() || !m_ask(path, m_reasons)) {
        return false;
    }
    core::trustScript(path.toStdString());
    return true;
}

} // namespace tau::app
