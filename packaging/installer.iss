; Instalador do Cobrador Desktop para Windows (Inno Setup 6).
;
; 1. Construa a pasta do programa:  pyinstaller --noconfirm packaging\cobrador_desktop.spec
;    (sai em dist\CobradorDesktop; assine CobradorDesktop.exe antes, se for assinar)
; 2. Compile o instalador:          iscc packaging\installer.iss
;    (sai em dist\instalador\CobradorDesktop-<versão>-instalador.exe)
;    Outra pasta do programa:       iscc /DDistDir=C:\caminho\CobradorDesktop packaging\installer.iss
;    Assinado (veja packaging\README.md):
;      iscc /DAssinar "/Sassinatura=signtool sign /fd sha256 /tr <carimbo> /td sha256 /a $f" packaging\installer.iss
;
; A versão é a do pyproject.toml (um teste confere) e a compilação para se o executável construído
; trouxer outra (o spec grava a do pyproject no recurso de versão dele).
; Os dados da loja ficam em %APPDATA%\CobradorDesktop e a desinstalação não os apaga.

#define AppName "Cobrador Desktop"
#define AppVersion "0.1.0"
#define AppExeName "CobradorDesktop.exe"
#define DataFolder "CobradorDesktop"
#define Root AddBackslash(SourcePath) + ".."
#ifndef DistDir
  #define DistDir Root + "\dist\CobradorDesktop"
#endif

#if !FileExists(DistDir + "\" + AppExeName)
  #error Pasta do programa não encontrada: construa com pyinstaller packaging\cobrador_desktop.spec (ou indique /DDistDir=...)
#endif
#define BuiltVersion GetStringFileInfo(DistDir + "\" + AppExeName, "ProductVersion")
#if BuiltVersion != AppVersion
  #pragma message "Versão do executável construído: " + BuiltVersion + "; deste instalador: " + AppVersion
  #error O executável construído é de outra versão: reconstrua ou iguale as versões
#endif

[Setup]
; AppId: nunca muda entre versões (é como o Windows sabe que o programa já está instalado)
AppId={{E439AD0D-9E77-529E-B7E7-C5BDC0AD9F74}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
; instalar para todos (administrador) ou só para este usuário, sem administrador
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist\instalador
OutputBaseFilename=CobradorDesktop-{#AppVersion}-instalador
SetupIconFile={#Root}\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; fecha o programa aberto antes de atualizar ou desinstalar
CloseApplications=yes
#ifdef Assinar
SignTool=assinatura
SignedUninstaller=yes
#endif

[Languages]
Name: "brazilianportuguese"; MessagesFile: "compiler:Languages\BrazilianPortuguese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; uma atualização troca a pasta interna inteira: nada de bibliotecas velhas misturadas às novas
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "Cobrança pelo WhatsApp"
Name: "{autoprograms}\{#AppName} (demonstração)"; Filename: "{app}\{#AppExeName}"; Parameters: "demo"; Comment: "Experimente com dados de exemplo, sem tocar nos dados da loja"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[CustomMessages]
brazilianportuguese.DadosGuardados=O Cobrador Desktop foi removido, mas os dados da loja (banco de dados, cópias de segurança e registros) continuam guardados em:%n%n%1%n%nSe instalar de novo, o programa encontra tudo como estava. Para apagá-los de vez, apague essa pasta (faça antes uma cópia de segurança, se precisar deles).

[Code]
// A desinstalação não apaga a pasta de dados (não há [UninstallDelete] para ela): diz onde ela
// ficou. Cada usuário do Windows tem a sua, em %APPDATA%.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(FmtMessage(CustomMessage('DadosGuardados'),
                      [ExpandConstant('{userappdata}\{#DataFolder}')]),
           mbInformation, MB_OK);
end;
