"""Word lists behind the demo data (Brazilian names, places, goods, chat lines) and its dice.

Kept apart from `demo_data.py` so the generator reads as logic. Everything here is invented sample
text: no real person, company or document.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem

T = TypeVar("T")


class DemoRandom(random.Random):
    """`random.Random` with cheaper `randint`/`choice` and a weighted `pick`.

    The benchmark data set takes tens of millions of draws; the standard methods' argument checks
    and rejection sampling cost more than the rest of the generator. The tiny bias of
    `int(random() * n)` does not matter for sample data. Same seed, same draws.
    """

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def pick(self, items: Sequence[T], weights: Sequence[int]) -> T:
        """One of `items`, each as likely as its weight."""
        x = self.random() * sum(weights)
        for item, weight in zip(items, weights, strict=True):
            x -= weight
            if x < 0:
                return item
        return items[-1]

FIRST_NAMES_F = (
    "Maria", "Ana", "Francisca", "Antônia", "Adriana", "Juliana", "Márcia", "Fernanda", "Patrícia",
    "Aline", "Sandra", "Camila", "Amanda", "Bruna", "Jéssica", "Letícia", "Júlia", "Luciana",
    "Vanessa", "Mariana", "Gabriela", "Vera", "Vitória", "Larissa", "Cláudia", "Beatriz", "Rita",
    "Luana", "Sônia", "Renata", "Eliane", "Josefa", "Simone", "Natália", "Raimunda", "Rosângela",
    "Cristiane", "Débora", "Tatiane", "Kelly", "Lúcia", "Conceição", "Inês", "Graça", "Fátima",
    "Rafaela", "Isabela", "Lívia", "Yasmin", "Heloísa", "Lorena", "Giovana", "Thaís", "Priscila",
    "Andréia", "Édna", "Célia", "Regina", "Solange", "Valéria", "Luíza", "Cecília", "Iara",
    "Jaqueline", "Joana", "Kátia", "Mônica", "Noêmia", "Socorro", "Tânia", "Zélia", "Elisângela",
)
FIRST_NAMES_M = (
    "José", "João", "Antônio", "Francisco", "Carlos", "Paulo", "Pedro", "Lucas", "Luiz", "Marcos",
    "Luís", "Gabriel", "Rafael", "Daniel", "Marcelo", "Bruno", "Eduardo", "Felipe", "Raimundo",
    "Rodrigo", "Manoel", "Mateus", "André", "Fernando", "Fábio", "Leonardo", "Gustavo", "Guilherme",
    "Leandro", "Tiago", "Anderson", "Ricardo", "Márcio", "Jorge", "Sebastião", "Alexandre",
    "Roberto", "Edson", "Diego", "Vitor", "Sérgio", "Cláudio", "Renato", "Joaquim", "Caíque",
    "Otávio", "Valdir", "Wellington", "Jefferson", "Cícero", "Damião", "Severino", "Benedito",
    "Geraldo", "Arthur", "Heitor", "Davi", "Thiago", "Murilo", "Caio", "Emerson", "Fabrício",
    "Henrique", "Ivan", "Juliano", "Luan", "Moisés", "Nélson", "Reginaldo", "Wagner", "Ênio",
)
#: second given names that Brazilians often carry ("Maria José", "João Pedro")
SECOND_NAMES_F = ("José", "Clara", "Eduarda", "Luíza", "Aparecida", "Cristina", "Helena", "Vitória")
SECOND_NAMES_M = ("Pedro", "Paulo", "Carlos", "Vítor", "Gabriel", "Henrique", "Miguel", "Ricardo")
SURNAMES = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes",
    "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade", "Moreira", "Nunes", "Marques",
    "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira",
    "Araújo", "Pinto", "Cavalcanti", "Moura", "Campos", "Monteiro", "Correia", "Batista", "Brito",
    "Magalhães", "Simões", "Brandão", "Assunção", "Falcão", "Leão", "Conceição", "Guimarães",
    "Sampaio", "Peixoto", "Amaral", "Bezerra", "Queiroz", "Macêdo", "Damasceno", "Tavares",
    "Rezende", "Xavier", "Siqueira", "Prado", "Farias", "Medeiros", "Aragão", "Figueiredo",
    "Castro", "Pires", "Borges", "Miranda", "Coelho", "Sá", "Galvão", "Antunes", "Bastos",
    "Barros", "Caldeira", "Drummond", "Estêvão", "Fonseca", "Jesus", "Lacerda", "Menezes",
    "Nogueira", "Paixão", "Quintão", "Romão", "Salgado", "Toledo", "Valadares", "Zanetti",
    "Yamamoto", "Nakamura", "Schmidt", "Müller", "Russo", "Bianchi", "Haddad", "Abdala",
)
#: the particle a surname takes when written with one ("Maria da Silva", "João dos Santos");
#: surnames not listed here are never written with a particle
PARTICLES = {
    "Silva": "da", "Santos": "dos", "Oliveira": "de", "Souza": "de", "Conceição": "da",
    "Nascimento": "do", "Jesus": "de", "Assunção": "da", "Paixão": "da", "Costa": "da",
    "Lima": "de", "Almeida": "de", "Andrade": "de", "Freitas": "de", "Araújo": "de",
    "Moura": "de", "Castro": "de", "Barros": "de", "Carvalho": "de", "Sá": "de", "Rocha": "da",
    "Fonseca": "da", "Macêdo": "de", "Menezes": "de", "Miranda": "de", "Medeiros": "de",
}
COMPANY_PATTERNS = (
    "{s1} & {s2} Comércio de Roupas Ltda",
    "Mercadinho {s1} ME",
    "{s1} Materiais de Construção Ltda",
    "Construtora {s1} e Filhos Ltda",
    "{i}. {s1} Serviços Elétricos ME",
    "Oficina Mecânica {s1} Ltda",
    "Padaria Pão de Ouro {s1} EPP",
    "Restaurante Sabor Caseiro {s1} Ltda",
    "Escola Infantil Pequeno Príncipe {s1} Ltda",
    "Salão Beleza Pura {s1} ME",
    "Açougue e Mercearia {s1} Ltda",
    "{s1} {s2} Transportes Ltda",
    "Farmácia Popular {s1} EPP",
    "Auto Peças {s1} Ltda",
    "{s1} Reformas e Acabamentos ME",
)
EMAIL_DOMAINS = ("gmail.com", "hotmail.com", "yahoo.com.br", "outlook.com", "uol.com.br",
                 "bol.com.br", "terra.com.br")
STREETS = (
    "Rua das Flores", "Avenida Brasil", "Rua Barão de Jaguara", "Rua Sete de Setembro",
    "Rua Tiradentes", "Avenida Getúlio Vargas", "Rua Dom Pedro II", "Rua São João",
    "Rua XV de Novembro", "Avenida Princesa D'Oeste", "Rua José Bonifácio", "Travessa da Paz",
    "Rua Padre Anchieta", "Rua das Acácias", "Avenida Norte-Sul", "Rua Conceição",
    "Rua Treze de Maio", "Rua Marechal Deodoro", "Rua Santos Dumont", "Alameda dos Ipês",
)
NEIGHBOURHOODS = (
    "Centro", "Jardim Proença", "Vila Industrial", "Cambuí", "Taquaral", "Jardim das Oliveiras",
    "Parque Itália", "Vila Nova", "Jardim Aurélia", "São Bernardo", "Bonfim", "Botafogo",
    "Jardim Santa Lúcia", "Vila Georgina", "Nova Europa", "Jardim do Lago",
)

#: area codes (DDD) with their state and a city, across every region and time zone of Brazil
DDDS: tuple[tuple[str, str, str], ...] = (
    ("11", "SP", "São Paulo"), ("12", "SP", "São José dos Campos"), ("13", "SP", "Santos"),
    ("14", "SP", "Bauru"), ("15", "SP", "Sorocaba"), ("16", "SP", "Ribeirão Preto"),
    ("17", "SP", "São José do Rio Preto"), ("18", "SP", "Presidente Prudente"),
    ("19", "SP", "Campinas"), ("21", "RJ", "Rio de Janeiro"), ("22", "RJ", "Campos dos Goytacazes"),
    ("24", "RJ", "Volta Redonda"), ("27", "ES", "Vitória"), ("28", "ES", "Cachoeiro de Itapemirim"),
    ("31", "MG", "Belo Horizonte"), ("32", "MG", "Juiz de Fora"), ("33", "MG", "Governador Valadares"),
    ("34", "MG", "Uberlândia"), ("35", "MG", "Poços de Caldas"), ("37", "MG", "Divinópolis"),
    ("38", "MG", "Montes Claros"), ("41", "PR", "Curitiba"), ("43", "PR", "Londrina"),
    ("44", "PR", "Maringá"), ("45", "PR", "Foz do Iguaçu"), ("46", "PR", "Francisco Beltrão"),
    ("47", "SC", "Joinville"), ("48", "SC", "Florianópolis"), ("49", "SC", "Chapecó"),
    ("51", "RS", "Porto Alegre"), ("53", "RS", "Pelotas"), ("54", "RS", "Caxias do Sul"),
    ("55", "RS", "Santa Maria"), ("61", "DF", "Brasília"), ("62", "GO", "Goiânia"),
    ("63", "TO", "Palmas"), ("64", "GO", "Rio Verde"), ("65", "MT", "Cuiabá"),
    ("66", "MT", "Rondonópolis"), ("67", "MS", "Campo Grande"), ("68", "AC", "Rio Branco"),
    ("69", "RO", "Porto Velho"), ("71", "BA", "Salvador"), ("73", "BA", "Ilhéus"),
    ("74", "BA", "Juazeiro"), ("75", "BA", "Feira de Santana"), ("77", "BA", "Vitória da Conquista"),
    ("79", "SE", "Aracaju"), ("81", "PE", "Recife"), ("82", "AL", "Maceió"),
    ("83", "PB", "João Pessoa"), ("84", "RN", "Natal"), ("85", "CE", "Fortaleza"),
    ("86", "PI", "Teresina"), ("87", "PE", "Petrolina"), ("88", "CE", "Juazeiro do Norte"),
    ("89", "PI", "Picos"), ("91", "PA", "Belém"), ("92", "AM", "Manaus"), ("93", "PA", "Santarém"),
    ("94", "PA", "Marabá"), ("95", "RR", "Boa Vista"), ("96", "AP", "Macapá"),
    ("97", "AM", "Tefé"), ("98", "MA", "São Luís"), ("99", "MA", "Imperatriz"),
)
#: nearby cities of the demo shop (DDD 19) so most customers are local, as in a real store
LOCAL_CITIES = ("Campinas", "Sumaré", "Hortolândia", "Valinhos", "Paulínia", "Indaiatuba",
                "Americana", "Vinhedo")

#: crediário purchases: (items, typical total in reais)
CREDIARIO_ITEMS: tuple[tuple[str, int], ...] = (
    ("Calça jeans, 2 blusas", 340), ("Tênis esportivo", 420), ("Jogo de panelas", 390),
    ("Geladeira frost free 375 L", 3290), ("Smart TV 50\"", 2790), ("Sofá 3 lugares", 2190),
    ("Uniforme escolar completo", 280), ("Celular Galaxy A15", 1290), ("Máquina de lavar 12 kg", 2490),
    ("Colchão casal", 1590), ("Guarda-roupa 6 portas", 1890), ("Vestido de festa, sandália", 460),
    ("Jaqueta de couro", 690), ("Kit cama, mesa e banho", 520), ("Micro-ondas 30 L", 790),
    ("Bicicleta aro 29", 1390), ("Óculos de grau", 980), ("Fogão 4 bocas", 1150),
)
#: one-off debts: (description, typical amount in reais)
ONE_OFF_ITEMS: tuple[tuple[str, int], ...] = (
    ("Cimento CP-II 50 kg (20 sacos)", 780), ("Areia média (3 m³) e brita", 640),
    ("Fiado – compras do mês", 260), ("Conserto de celular (troca de tela)", 350),
    ("Revisão do carro e troca de óleo", 590), ("Tijolo baiano (1.000 un.)", 890),
    ("Tinta acrílica 18 L (2 latas)", 720), ("Botijão de gás P13", 120),
    ("Ração 15 kg e vermífugo", 210), ("Manutenção do ar-condicionado", 280),
)
MONTHS_PT = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
             "setembro", "outubro", "novembro", "dezembro")

OPT_IN_SOURCES = ("Ficha de crediário assinada", "Checkbox no PDV")
OPT_IN_WORDING = ("Autorizo a Loja Exemplo a me enviar pelo WhatsApp, neste número, lembretes de "
                  "vencimento, avisos de parcelas em aberto e comprovantes de pagamento. Posso "
                  "cancelar a qualquer momento respondendo PARAR.")
OPT_OUT_SOURCES = ("Botão “Parar mensagens” no WhatsApp", "Pediu por telefone à loja",
                   "Pediu no balcão da loja")
NOTES = (
    "Prefere contato à tarde.", "Pediu para não ligar no horário de trabalho.",
    "Paga sempre no dia 10, quando recebe o salário.", "Cliente antigo, bom pagador.",
    "Disse que vai quitar tudo no 13º salário.", "Mudou de endereço em 2026.",
    "Compra para a obra da casa nova.", "Filha estuda na escola parceira.",
)
TAGS = ("crediário", "cliente antigo", "obra", "escola", "atacado", "indicação")

INBOUND_REPLIES = (
    "Oi, vou pagar na sexta-feira quando receber.", "Bom dia! Já paguei ontem pelo PIX.",
    "Pode me mandar o código PIX?", "Consigo pagar metade agora e metade no mês que vem?",
    "Esqueci completamente, obrigada por lembrar!", "Tô desempregado, posso negociar?",
    "Qual é o valor total que eu devo?", "Passo aí na loja amanhã pra pagar em dinheiro.",
    "Essa parcela eu já paguei, confere aí por favor.", "Ok, obrigado.",
    "Boa tarde, o boleto venceu, tem como gerar outro?", "Pode ser no cartão?",
    "Vou ver com meu marido e te falo.", "Recebi sim, amanhã eu pago.",
    "Não reconheço essa compra.", "👍", "Bom dia", "Consigo pagar dia 15?",
)
CLOSING_REPLIES = ("Obrigado!", "Combinado.", "Beleza, obrigada.", "Ok 👍", "Valeu!")
BUTTON_REPLIES = ("Quero o código PIX", "Já paguei", "Negociar")
OPERATOR_REPLIES = (
    "Bom dia, {first}! Segue o código PIX da parcela: 00020126580014BR.GOV.BCB.PIX0136"
    "exemplo-demo5204000053039865802BR5912LOJA EXEMPLO6008CAMPINAS62070503***6304ABCD",
    "Olá, {first}! Obrigada pelo retorno, fico no aguardo do pagamento.",
    "Perfeito, {first}. Confirmamos aqui o seu pagamento, obrigada!",
    "Podemos sim dividir em duas vezes, {first}. Posso agendar a primeira para o dia 10?",
    "Vou verificar aqui no sistema e já te respondo, {first}.",
    "Pode passar na loja de segunda a sábado, das 9h às 18h.",
    "Sem problemas, {first}! Qualquer dúvida é só chamar.",
)
OPT_OUT_REPLY = ("Pronto. A Loja Exemplo não vai mais enviar mensagens de cobrança para este "
                 "número. Se mudar de ideia, responda VOLTAR.")
WRONG_PARTY_REPLY = "Esse número não é dessa pessoa, vocês estão enganados."

#: (code, details) of real Cloud API failures a shop sees (WHATSAPP_CLOUD_API.md §7)
FAILURES: tuple[tuple[int, str], ...] = (
    (131026, "Message undeliverable."),
    (131047, "Message failed to send because more than 24 hours have passed since the customer "
             "last replied to this number."),
    (131000, "Something went wrong."),
    (131049, "This message was not delivered to maintain healthy ecosystem engagement."),
)
#: what a debtor writes on the day they pay (their 24-hour window opens, so the survey may go)
PAID_INBOUND = (
    "Paguei agora no PIX, segue o comprovante.", "Pronto, paguei! Confere aí por favor.",
    "Fiz o pagamento hoje cedo.", "Acabei de pagar na loja.", "Paguei, obrigada pela paciência.")
#: how the post-payment survey is answered (`domain.templates.SURVEY_SCORES`), and how often
SURVEY_WEIGHTS = (("OTIMO", 60), ("REGULAR", 25), ("RUIM", 15))
