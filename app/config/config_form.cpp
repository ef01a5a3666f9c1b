#include "app/config/config_form.h"

#include "core/config/config_loader.h"
#include "core/io/torch_archive.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>
#include <QToolButton>

namespace tau::app {

ConfigForm::ConfigForm(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QFormLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_system = choiceBox("system");
    m_dataset = choiceBox("dataset.name");
    m_encoder = choiceBox("model.encoder");
    m_device = choiceBox("device");
    m_device->setEditable(true); // cuda:N

    m_epochs = new QSpinBox;
    m_epochs->setObjectName(QStringLiteral("num_epochs"));
    m_epochs->setRange(1, 100000);
    connect(m_epochs, &QSpinBox::valueChanged, this, [this](int value) { report("num_epochs", QString::number(value)); });
    m_batchSize = new QSpinBox;
    m_batchSize->setObjectName(QStringLiteral("optimizer.batch_size"));
    m_batchSize->setRange(2, 65536);
    connect(m_batchSize, &QSpinBox::valueChanged, this,
            [this](int value) { report("optimizer.batch_size", QString::number(value)); });
    m_learningRate = new QLineEdit;
    m_learningRate->setObjectName(QStringLiteral("optimizer.learning_rate"));
    m_learningRate->setValidator(new QDoubleValidator(0.0, 10.0, 12, m_learningRate));
    connect(m_learningRate, &QLineEdit::editingFinished, this,
            [this] { report("optimizer.learning_rate", m_learningRate->text()); });
    m_temperature = new QDoubleSpinBox;
    m_temperature->setObjectName(QStringLiteral("loss.t"));
    m_temperature->setRange(0.001, 10.0);
    m_temperature->setDecimals(3);
    m_temperature->setSingleStep(0.01);
    connect(m_temperature, &QDoubleSpinBox::valueChanged, this,
            [this](double value) { report("loss.t", QString::number(value, 'g', 6)); });

    layout->addRow(tr("Method"), m_system);
    layout->addRow(tr("Dataset"), m_dataset);
    layout->addRow(tr("Encoder"), m_encoder);
    layout->addRow(tr("Epochs"), m_epochs);
    layout->addRow(tr("Batch size"), m_batchSize);
    layout->addRow(tr("Learning rate"), m_learningRate);
    layout->addRow(tr("Temperature t"), m_temperature);
    layout->addRow(tr("Device"), m_device);
    layout->addRow(tr("Frozen encoder"), frozenEncoderRow());
    layout->setRowVisible(m_frozenEncoderRow, false);
}

QWidget* ConfigForm::frozenEncoderRow()
{
    m_frozenEncoderRow = new QWidget;
    auto* row = new QHBoxLayout(m_frozenEncoderRow);
    row->setContentsMargins(0, 0, 0, 0);
    m_frozenEncoder = new QLineEdit;
    m_frozenEncoder->setObjectName(QStringLiteral("frozenEncoder"));
    m_frozenEncoder->setReadOnly(true);
    m_frozenEncoder->setPlaceholderText(tr("a run's checkpoint, or a TorchScript module"));
    auto* choose = new QToolButton;
    choose->setObjectName(QStringLiteral("chooseFrozenEncoder"));
    choose->setText(tr("…"));
    choose->setToolTip(tr("Choose the frozen encoder of post-hoc TaU: one of our runs' checkpoints, or a TorchScript "
                          "module. A TorchScript file is a program: choose only files you trust."));
    connect(choose, &QToolButton::clicked, this, &ConfigForm::chooseFrozenEncoder);
    row->addWidget(m_frozenEncoder, 1);
    row->addWidget(choose);
    return m_frozenEncoderRow;
}

void ConfigForm::chooseFrozenEncoder()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Frozen encoder: a run's checkpoint, or a TorchScript module (a program: choose only files you trust)"),
        QFileInfo(m_frozenEncoder->text()).path(),
        tr("Checkpoints and TorchScript modules (*.pt *.pth *.ts);;All files (*)"));
    if (!path.isEmpty()) {
        useFrozenEncoder(path);
    }
}

bool ConfigForm::useFrozenEncoder(const QString& path)
{
    const core::TorchArchiveAudit audit = core::auditTorchFile(path.toStdString());
    if (!audit.problem.empty()) {
        Q_EMIT notice(tr("%1: not an encoder that can be read safely: %2").arg(path, QString::fromStdString(audit.problem)));
        return false;
    }
    const bool script = !core::recordsDefiningFunctions(audit).empty();
    const auto quoted = [](QString text) {
        return QLatin1Char('"') + text.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\"")) +
               QLatin1Char('"');
    };
    report("model.encoder_torchscript", script ? quoted(path) : QStringLiteral("\"\""));
    report("model.encoder_checkpoint", script ? QStringLiteral("\"\"") : quoted(path));
    Q_EMIT notice(script ? tr("%1 is a TorchScript module: a program. Train asks before running one that does more "
                              "than tensor math.").arg(QFileInfo(path).fileName())
                         : tr("Frozen encoder: the run of %1").arg(path));
    return true;
}

QComboBox* ConfigForm::choiceBox(const char* keyPath)
{
    auto* box = new QComboBox;
    box->setObjectName(QString::fromLatin1(keyPath));
    for (const std::string& choice : core::configChoices(keyPath)) {
        box->addItem(QString::fromStdString(choice));
    }
    connect(box, &QComboBox::currentTextChanged, this, [this, keyPath](const QString& text) { report(keyPath, text); });
    return box;
}

void ConfigForm::report(const char* keyPath, const QString& value)
{
    if (!m_showing && !value.isEmpty()) {
        Q_EMIT valueEdited(QString::fromLatin1(keyPath), value);
    }
}

void ConfigForm::showConfig(const core::ExperimentConfig& config)
{
    m_showing = true;
    m_system->setCurrentText(QString::fromStdString(config.system));
    m_dataset->setCurrentText(QString::fromStdString(config.dataset.name));
    m_encoder->setCurrentText(QString::fromStdString(config.model.encoder));
    m_epochs->setValue(config.numEpochs);
    m_batchSize->setValue(config.optimizer.batchSize);
    if (!m_learningRate->hasFocus()) {
        m_learningRate->setText(QString::number(config.optimizer.learningRate, 'g', 6));
    }
    m_temperature->setValue(config.loss.t);
    m_device->setCurrentText(QString::fromStdString(config.device));
    const bool posthoc = config.system == "posthoc_tau";
    static_cast<QFormLayout*>(layout())->setRowVisible(m_frozenEncoderRow, posthoc);
    m_frozenEncoder->setText(QString::fromStdString(config.model.encoderTorchscript.empty() ? config.model.encoderCheckpoint
                                                                                             : config.model.encoderTorchscript));
    m_showing = false;
}

} // namespace tau::app
