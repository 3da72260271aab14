<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="pt_BR">
<context>
    <name>CrashDialog</name>
    <message>
        <source>Cobrador Desktop — erro inesperado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O Cobrador Desktop encontrou um erro inesperado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O que você estava fazendo não foi concluído. Copie o relatório abaixo e envie ao suporte junto com o que estava fazendo naquele momento. O relatório não inclui senhas nem tokens de acesso.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registro completo: {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copiar relatório</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fechar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copiado!</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorTableModel</name>
    <message>
        <source>Nome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPF/CNPJ</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Telefone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Maior atraso</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próx. vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Último contato</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dias desde o vencimento mais antigo ainda em aberto</source>
        <extracomment>which column sorts by what, and the direction the service reads that order in `data(index, ROW_ROLE)` gives the whole `DebtorRow`</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próximo vencimento de uma dívida em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clique para ordenar por esta coluna</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pediu para não receber mensagens de cobrança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} dívida(s) em aberto</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>em dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 dia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{days} dias</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DebtorsView</name>
    <message>
        <source>Nenhum devedor</source>
        <extracomment>widest usual content per column, to size columns before any data arrives</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 devedor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count} devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedores</source>
        <extracomment>the first page of the list is on screen (or the list is known to be empty)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quem deve, quanto e desde quando</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carregando…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Carregando devedores…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum devedor cadastrado ainda</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aqui aparece quem deve para a loja: quanto está em aberto, há quantos dias está atrasado e quando vence a próxima parcela. Importar a planilha de clientes (Excel ou CSV) chega numa próxima versão. Para conhecer o programa agora, abra a demonstração, que usa dados de exemplo numa pasta separada:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Em breve: importar planilha</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A demonstração está sem dados de exemplo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Os devedores de exemplo não foram criados nesta pasta de demonstração. Feche o programa e abra a demonstração de novo, recriando os dados:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InboxView</name>
    <message>
        <source>Caixa de entrada</source>
        <extracomment>the user asked to see the debtor list instead</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conversas do WhatsApp com os devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhuma conversa por aqui ainda</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A caixa de entrada vai reunir as conversas do WhatsApp com os devedores, para a equipe responder junta pelo mesmo número, com respostas prontas de um clique. Ela chega numa próxima versão; depois, é só conectar o número do WhatsApp Business em Configurações. Enquanto isso, a lista de devedores já está disponível.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próxima versão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ver devedores</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>KnownError</name>
    <message>
        <source>Não foi possível gravar a exportação em {path}: {detail}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Escolha outra pasta ou outro nome de arquivo. Nenhum arquivo foi alterado.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Cobrador Desktop — Demonstração</source>
        <extracomment>the Devedores page shows its first page of real data, or knows the list is empty (once) the page on screen changed (a `Page` value)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versão {version}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caixa de entrada</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Devedores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Régua</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resultados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Configurações</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RemindersView</name>
    <message>
        <source>Régua de cobrança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lembretes automáticos antes e depois do vencimento</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum lembrete automático configurado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A régua vai mandar lembretes antes do vencimento, no dia e depois dele, sempre em horário permitido, sem repetir mensagem no mesmo dia e só para quem pode recebê-las. Ela chega numa próxima versão: por enquanto o Cobrador Desktop não envia nenhuma mensagem sozinho.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próxima versão</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RestoreBackupDialog</name>
    <message>
        <source>Banco de dados danificado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>O arquivo danificado não foi alterado. Você pode restaurar a cópia de segurança mais recente ({name}, {when}): ela entra no lugar do arquivo danificado, que fica guardado ao lado com outro nome. O que foi feito depois dessa cópia se perde.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restaurar a cópia de segurança</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sair sem alterar nada</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ResultsView</name>
    <message>
        <source>Resultados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quanto foi recuperado e o que funciona melhor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ainda não há resultados para mostrar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aqui você vai acompanhar quanto foi recuperado, quantos devedores responderam e pagaram, em quanto tempo, e quais mensagens funcionam melhor. Os números vêm das suas cobranças de verdade, a partir de uma próxima versão.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Próxima versão</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <source>Configurações</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Esta instalação e seus dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demonstração — dados de exemplo, separados dos dados reais</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Normal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abrir pasta</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Português (Brasil)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Perfil</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pasta de dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Banco de dados</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp Business</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Idioma</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estas informações são só para consulta. Conectar o número do WhatsApp Business, cadastrar operadores e ajustar os horários de envio chegam numa próxima versão.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum número conectado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Emulador local (demonstração): nada sai para o WhatsApp de verdade</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conectado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Número configurado, mas sem conexão com a API agora</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum operador identificado</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>WhatsApp: nenhum número conectado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nenhum número do WhatsApp Business foi configurado.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: emulador local</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens vão para o emulador local, não para o WhatsApp de verdade.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: conectado</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A API do WhatsApp Business está respondendo.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WhatsApp: sem conexão</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A API do WhatsApp não responde. As mensagens esperam na fila e saem quando a conexão voltar.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fila de envio: {count}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mensagens esperando para sair</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Operador: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demonstração</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dados de exemplo, numa pasta separada dos dados reais</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>Abrir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sair</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
