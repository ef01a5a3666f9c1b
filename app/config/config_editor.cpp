#include "app/config/config_editor.h"

#include "app/config/config_form.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/config/presets.h"
#include "core/config/yaml_text_edit.h"
#include "core/io/run_directory.h"
#include "widgets/common/yaml_highlighter.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTextBlock>
#include <QTimer>
#include <QVBoxLayout>

namespace tau::app {

ConfigEditor::ConfigEditor(QWidget* parent)
    : QWidget(parent)
    , m_fileLabel(new QLabel)
    , m_form(new ConfigForm)
    , m_editor(new QPlainTextEdit)
    , m_errorLabel(new QLabel)
    , m_validationTimer(new QTimer(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    m_fileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fileLabel->setTextFormat(Qt::PlainText); // paths and messages from files: text, never markup
    m_editor->setObjectName(QStringLiteral("configEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    new widgets::YamlHighlighter(m_editor->document());
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, [this] { Q_EMIT titleChanged(); });
    m_errorLabel->setObjectName(QStringLiteral("configError"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextFormat(Qt::PlainText);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #b00020; background: #fdecea; padding: 6px; }"));
    m_errorLabel->hide();
    m_form->setObjectName(QStringLiteral("configForm"));
    connect(m_form, &ConfigForm::valueEdited, this, &ConfigEditor::applyFormEdit);
    connect(m_form, &ConfigForm::notice, this, &ConfigEditor::statusMessage);
    layout->addWidget(m_fileLabel);
    layout->addWidget(m_form);
    layout->addWidget(m_editor, 1);
    layout->addWidget(m_errorLabel);

    m_validationTimer->setSingleShot(true);
    m_validationTimer->setInterval(400);
    connect(m_validationTimer, &QTimer::timeout, this, &ConfigEditor::validateConfig);
    connect(m_editor, &QPlainTextEdit::textChanged, m_validationTimer, qOverload<>(&QTimer::start));
    updateFileLabel();
}

QString ConfigEditor::sourceName() const
{
    return m_path.isEmpty() ? tr("untitled.yaml") : m_path;
}

void ConfigEditor::validateConfig()
{
    try {
        QStringList warnings;
        core::ConfigLoadOptions options;
        options.warn = [&warnings](const std::string& line) { warnings << QString::fromStdString(line); };
        m_form->showConfig(core::loadConfigText(m_editor->toPlainText().toStdString(), sourceName().toStdString(), options));
        m_form->setEnabled(!m_editor->isReadOnly());
        // Duplicate keys and the original layout's unused keys do not stop a run, but should not go unseen.
        m_errorLabel->setText(warnings.join(QLatin1Char('\n')));
        m_errorLabel->setVisible(!warnings.isEmpty());
        m_editor->setExtraSelections({});
        if (m_statusShowsError) { // the error is fixed: the status bar must not go on reporting it
            m_statusShowsError = false;
            Q_EMIT statusMessage(tr("The config is valid"));
        }
    } catch (const core::ConfigError& error) {
        m_errorLabel->setText(QString::fromStdString(error.what()));
        m_errorLabel->show();
        markErrorLine(error.line());
    } catch (const std::exception& error) {
        m_errorLabel->setText(QString::fromStdString(error.what()));
        m_errorLabel->show();
    }
}

bool ConfigEditor::openRunConfig(const QString& runDirectory)
{
    const QString path = QDir(runDirectory).filePath(QStringLiteral("config.yaml"));
    if (!QFileInfo::exists(path)) {
        return false;
    }
    return loadText(path, /*asPreset=*/true, tr("the run %1").arg(QFileInfo(runDirectory).fileName()));
}

bool ConfigEditor::isEmpty() const
{
    return m_editor->toPlainText().trimmed().isEmpty();
}

bool ConfigEditor::resolvedConfig(core::ExperimentConfig& config)
{
    if (isEmpty()) { // every default is a 200-epoch run on every image: never what an empty page promised
        showError(tr("The config is empty: open one (Ctrl+O) or pick a preset, then Train"), 0);
        return false;
    }
    QStringList warnings;
    try {
        core::ConfigLoadOptions options;
        options.warn = [&warnings](const std::string& line) { warnings << QString::fromStdString(line); };
        config = core::loadConfigText(m_editor->toPlainText().toStdString(), sourceName().toStdString(), options);
    } catch (const core::ConfigError& error) {
        showError(QString::fromStdString(error.what()), error.line());
        return false;
    } catch (const std::exception& error) {
        showError(QString::fromStdString(error.what()), 0);
        return false;
    }
    m_errorLabel->setVisible(!warnings.isEmpty());
    m_errorLabel->setText(warnings.join(QLatin1Char('\n')));
    return true;
}

void ConfigEditor::applyFormEdit(const QString& keyPath, const QString& value)
{
    std::string text = m_editor->toPlainText().toStdString();
    if (!core::setConfigValue(text, keyPath.toStdString(), value.toStdString())) {
        Q_EMIT statusMessage(tr("The text does not parse as YAML or JSON; fix it in the editor first"));
        return;
    }
    // One undoable edit that replaces the text: Ctrl+Z in the editor takes a form change back.
    QTextCursor cursor(m_editor->document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(QString::fromStdString(text));
    cursor.endEditBlock();
    validateConfig();
}

void ConfigEditor::markErrorLine(int line)
{
    QList<QTextEdit::ExtraSelection> marks;
    const QTextBlock block = m_editor->document()->findBlockByLineNumber(line - 1);
    if (line > 0 && block.isValid()) {
        QTextEdit::ExtraSelection mark;
        mark.format.setBackground(QColor(253, 236, 234));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        mark.cursor = QTextCursor(block);
        marks.append(mark);
    }
    m_editor->setExtraSelections(marks);
}

bool ConfigEditor::openConfig(const QString& path)
{
    if (!loadText(path, /*asPreset=*/false)) {
        return false;
    }
    Q_EMIT statusMessage(tr("Opened %1").arg(QFileInfo(path).fileName()));
    Q_EMIT fileUsed(QFileInfo(path).absoluteFilePath());
    return true;
}

bool ConfigEditor::openPreset(const QString& path)
{
    if (!loadText(path, /*asPreset=*/true)) {
        return false;
    }
    Q_EMIT statusMessage(tr("Started from the preset %1; Save asks where to keep it").arg(QFileInfo(path).fileName()));
    return true;
}

bool ConfigEditor::loadText(const QString& path, bool asPreset, const QString& origin)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        showError(tr("%1: cannot open the %2 (%3)").arg(path, asPreset ? tr("preset") : tr("config file"), file.errorString()), 0);
        return false;
    }
    showText(QString::fromUtf8(file.readAll()), asPreset ? QString() : path, asPreset ? path : QString(),
             asPreset ? (origin.isEmpty() ? tr("the preset %1").arg(QFileInfo(path).fileName()) : origin) : QString());
    return true;
}

void ConfigEditor::openBuiltInDefaults()
{
    showText(QString::fromStdString(core::toYaml(core::ExperimentConfig{})), {}, {}, tr("the built-in defaults"));
}

void ConfigEditor::showText(const QString& text, const QString& path, const QString& preset, const QString& origin)
{
    m_editor->setPlainText(text);
    m_editor->document()->setModified(false);
    m_path = path; // empty for a preset, a run's config or the defaults: a new config, Save asks where
    m_preset = preset;
    m_origin = origin;
    m_errorLabel->hide();
    updateFileLabel();
    Q_EMIT titleChanged();
    validateConfig();
}

QString ConfigEditor::errorText() const
{
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

void ConfigEditor::openConfigDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open config"), QFileInfo(m_path).path(),
                                                      tr("Configs (*.yaml *.yml *.json);;All files (*)"));
    if (!path.isEmpty()) {
        openConfig(path);
    }
}

bool ConfigEditor::saveConfig()
{
    return m_path.isEmpty() ? saveConfigAs() : writeConfig(m_path);
}

bool ConfigEditor::saveConfigAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save config"), m_path, tr("Configs (*.yaml *.yml *.json)"));
    return !path.isEmpty() && writeConfig(path);
}

bool ConfigEditor::writeConfig(const QString& path)
{
    try {
        core::writeFileAtomically(path.toStdString(), m_editor->toPlainText().toStdString());
    } catch (const core::TauError& error) {
        showError(QString::fromStdString(error.what()), 0);
        return false;
    }
    m_path = path;
    m_preset.clear();
    m_origin.clear();
    m_editor->document()->setModified(false);
    updateFileLabel();
    Q_EMIT titleChanged();
    Q_EMIT statusMessage(tr("Saved %1").arg(path));
    Q_EMIT fileUsed(QFileInfo(path).absoluteFilePath());
    return true;
}

void ConfigEditor::showError(const QString& message, int line)
{
    m_errorLabel->setText(message);
    m_errorLabel->show();
    m_statusShowsError = true;
    Q_EMIT statusMessage(message);
    if (line > 0) {
        const QTextBlock block = m_editor->document()->findBlockByLineNumber(line - 1);
        if (block.isValid()) {
            QTextCursor cursor(block);
            cursor.select(QTextCursor::LineUnderCursor);
            m_editor->setTextCursor(cursor);
            m_editor->setFocus();
        }
    }
}

void ConfigEditor::setLocked(bool locked)
{
    m_editor->setReadOnly(locked);
    m_form->setEnabled(!locked);
}

bool ConfigEditor::hasUnsavedChanges() const
{
    return m_editor->document()->isModified() && !m_editor->toPlainText().isEmpty();
}

QString ConfigEditor::documentTitle() const
{
    const QString name = m_path.isEmpty() ? tr("untitled.yaml") : QFileInfo(m_path).fileName();
    return name + (m_editor->document()->isModified() ? QStringLiteral("*") : QString());
}

void ConfigEditor::updateFileLabel()
{
    if (!m_path.isEmpty()) {
        m_fileLabel->setText(tr("Config: %1").arg(m_path));
    } else if (!m_origin.isEmpty()) {
        m_fileLabel->setText(tr("Config: from %1 (not saved)").arg(m_origin));
    } else {
        m_fileLabel->setText(tr("Config: (not saved)"));
    }
}

std::vector<std::string> ConfigEditor::presetFolders()
{
    std::vector<std::string> dataDirectories;
    for (const QString& location : QStandardPaths::standardLocations(QStandardPaths::GenericDataLocation)) {
        dataDirectories.push_back(location.toStdString());
    }
    return core::presetDirectories(dataDirectories);
}

QComboBox* ConfigEditor::buildPresetPicker()
{
    auto* presets = new QComboBox;
    presets->setObjectName(QStringLiteral("presetPicker"));
    presets->setToolTip(tr("Start from one of the shipped configs (tau train takes the same names)"));
    presets->addItem(tr("Presets…"));
    for (const core::Preset& preset : core::listPresets(presetFolders())) {
        presets->addItem(QString::fromStdString(preset.relativePath), QString::fromStdString(preset.path));
        presets->setItemData(presets->count() - 1,
                             tr("%1 (tau train %1)").arg(QString::fromStdString(preset.name)), Qt::ToolTipRole);
    }
    connect(presets, &QComboBox::activated, this, [this, presets](int index) {
        if (index > 0) {
            openPreset(presets->itemData(index).toString());
        }
        presets->setCurrentIndex(0);
    });
    return presets;
}

} // namespace tau::app
