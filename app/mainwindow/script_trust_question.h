#pragma once

#include <QString>
#include <QStringList>

#include <functional>

class QWidget;

namespace tau::app {

/** Whether to trust the TorchScript file at path, which does what reasons say; asked after a refusal. */
using TrustQuestion = std::function<bool(const QString& path, const QStringList& reasons)>;

/**
 * The question as a warning dialog over @p window: the file, what it does beyond tensor math, and @p acceptText
 * ("Trust and Train") beside Cancel, the default. With no screen to ask on (offscreen), the answer is no.
 */
TrustQuestion trustQuestionDialog(QWidget* window, const QString& acceptText);

/**
 * A refused TorchScript file waiting for the user's answer. A worker's job reports the refusal (noteRefusal) and
 * fails; the job's owner then calls askAndTrust, and on yes runs the job again. Trust lasts for the session
 * (core::trustScript) and is never taken from a file or a config.
 */
class PendingTrust
{
public:
    explicit PendingTrust(TrustQuestion question) : m_ask(std::move(question)) {}

    void setQuestion(TrustQuestion question) { m_ask = std::move(question); }
    void noteRefusal(const QString& path, const QStringList& reasons);
    void clear() { m_path.clear(); }
    /** Asks about the refused file, if one is pending; on yes trusts it. Forgets the refusal. @return trusted. */
    bool askAndTrust();

private:
    TrustQuestion m_ask;
    QString m_path;
    QStringList m_reasons;
};

} // namespace tau::app
