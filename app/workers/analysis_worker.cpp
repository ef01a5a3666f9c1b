#include "app/workers/analysis_worker.h"

#include "app/bridge/core_values.h"

#include <chrono>

namespace tau::app {

AnalysisWorker::AnalysisWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<tau::core::ImageScanOptions>();
    qRegisterMetaType<tau::app::SharedScan>();
    qRegisterMetaType<tau::app::ProjectionRequest>();
    qRegisterMetaType<QVector<tau::core::OodEvaluationOptions>>();
}

void AnalysisWorker::scan(const tau::core::ImageScanOptions& options)
{
    m_cancel.reset();
    try {
        auto result = std::make_shared<core::ScannedImages>(core::scanImages(options, *this, m_cancel));
        if (result->cancelled) {
            Q_EMIT failed(QString());
            return;
        }
        Q_EMIT scanned(result);
    } catch (const core::UntrustedScriptError& refused) {
        Q_EMIT scriptRefused(QString::fromStdString(refused.path()), refusalReasons(refused));
        Q_EMIT failed(QString::fromStdString(refused.what()));
    } catch (const std::exception& error) {
        Q_EMIT failed(QString::fromStdString(error.what()));
    }
}

void AnalysisWorker::project(const tau::app::ProjectionRequest& request)
{
    m_cancel.reset();
    try {
        const auto start = std::chrono::steady_clock::now();
        const std::vector<double> coordinates = core::tsne(
            *request.points, request.dim, request.options,
            [&](int done, int total) {
                const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                Q_EMIT progress(QStringLiteral("t-SNE"), done, total, done > 0 ? elapsed / done * (total - done) : -1.0);
            },
            m_cancel);
        if (m_cancel.stopRequested()) {
            Q_EMIT failed(QString());
            return;
        }
        Q_EMIT projected(QVector<double>(coordinates.begin(), coordinates.end()));
    } catch (const std::exception& error) {
        Q_EMIT failed(QString::fromStdString(error.what()));
    }
}

void AnalysisWorker::evaluate(const QVector<tau::core::OodEvaluationOptions>& runs)
{
    m_cancel.reset();
    QStringList folders, warnings;
    for (int i = 0; i < runs.size(); ++i) {
        try {
            const core::OodEvaluationResult result = core::evaluateOod(runs[i], *this, m_cancel);
            if (result.cancelled) {
                Q_EMIT failed(QString());
                return;
            }
            folders << QString::fromStdString(result.directory);
            for (const std::string& warning : result.warnings) {
                warnings << QString::fromStdString(warning);
            }
        } catch (const core::UntrustedScriptError& refused) {
            // Any run's encoder: asked about, then the whole evaluation runs again (or fails, if not trusted).
            Q_EMIT scriptRefused(QString::fromStdString(refused.path()), refusalReasons(refused));
            Q_EMIT failed(tr("%1 cannot be evaluated: %2").arg(QString::fromStdString(runs[i].checkpoint),
                                                               QString::fromStdString(refused.what())));
            return;
        } catch (const std::exception& error) {
            if (i == 0) { // the open run: nothing to show
                Q_EMIT failed(tr("The open run cannot be evaluated: %1").arg(QString::fromStdString(error.what())));
                return;
            }
            warnings << QString::fromStdString(error.what()); // a compared run: the others still count
        }
    }
    Q_EMIT evaluated(folders, warnings);
}

void AnalysisWorker::onProgress(const std::string& stage, long long done, long long total, double etaSeconds)
{
    Q_EMIT progress(QString::fromStdString(stage), done, total, etaSeconds);
}

} // namespace tau::app
