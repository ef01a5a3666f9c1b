#include "app/config/config_form.h"

#include "core/config/config_loader.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QDoubleValidator>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

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
    m_showing = false;
}

} // namespace tau::app
